import BerthConfig
import BerthCore
import Foundation
import Testing

/// `version.preset` and scoped `version.bumps` in berth.yaml, and the other tools' files `berth init --from` reads.
@Suite("berth.yaml release rules and other tools' files")
struct ReleaseRulesConfigTests {
    @Test("a preset gives its table; explicit bumps override it, none included, and add scoped rules")
    func presetAndOverrides() throws {
        let config = try ConfigurationLoader.parse(
            """
            version:
              preset: commitizen
              initial: 1.0.0
              bumps:
                refactor: none
                build(deps): patch
                "*(no-release)": none
            """, file: "berth.yaml")
        #expect(config.version.preset == .commitizen)
        #expect(config.version.breakingBumpBelowOne == .major)
        #expect(config.version.initialVersion == SemanticVersion(1, 0, 0))
        #expect(
            config.version.bumps == [
                "feat": .minor, "fix": .patch, "perf": .patch, "refactor": nil, "build(deps)": .patch, "*(no-release)": nil,
            ])
    }

    @Test("keys after the preset override it whatever their order in the file")
    func presetOrder() throws {
        let config = try ConfigurationLoader.parse(
            "version:\n  breaking_below_1: minor\n  preset: semantic-release\n", file: "berth.yaml")
        #expect(config.version.breakingBumpBelowOne == .minor)
        #expect(config.version.initialVersion == SemanticVersion(1, 0, 0))
    }

    @Test(
        "bad presets and rule keys are one-line usage errors naming the key and what to write",
        arguments: [
            (
                "version:\n  preset: angular\n", "berth.yaml:2:11",
                "'version.preset' must be one of conventional, semantic-release, commitizen, found 'angular'"
            ),
            (
                "version:\n  bumps:\n    build(deps: patch\n", "berth.yaml:3:17",
                "'build(deps' is not a rule: write a type (feat), a type and scope"
            ),
            ("version:\n  bumps:\n    \"*\": patch\n", "berth.yaml:3:10", "'*' is not a rule"),
            (
                "version:\n  bumps:\n    build(deps): often\n", "berth.yaml:3:18",
                "must be major, minor, patch or none, found 'often'"
            ),
            (
                "version:\n  bumps:\n    Feat: minor\n    feat: patch\n", "berth.yaml:4:11",
                "'feat' and 'Feat' are the same rule: keep one"
            ),
            ("version:\n  bumps: [feat]\n", "berth.yaml:2:10", "'version.bumps' must be a mapping"),
        ])
    func errors(yaml: String, position: String, fragment: String) {
        #expect {
            try ConfigurationLoader.parse(yaml, file: "berth.yaml")
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .usage && error.message.hasPrefix(position) && error.message.contains(fragment)
                && !error.message.contains("\n")
        }
    }

    func directory(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-release-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(path)/\(name)")) }
        return path
    }

    @Test(
        "semantic-release's files in its search order: package.json#release first, then .releaserc (JSON or YAML), .json, .yaml, .yml",
        arguments: [
            (
                [
                    "package.json": #"{"name": "x", "release": {"tagFormat": "p${version}"}}"#,
                    ".releaserc": "tagFormat: r${version}",
                ], "package.json#release", "p${version}"
            ),
            (["package.json": #"{"name": "x"}"#, ".releaserc": "tagFormat: r${version}\n"], ".releaserc", "r${version}"),
            ([".releaserc": "{\n\t\"tagFormat\": \"j${version}\"\n}"], ".releaserc", "j${version}"),
            (
                [".releaserc.json": "{\n\t\"tagFormat\": \"j${version}\"\n}", ".releaserc.yml": "tagFormat: y"],
                ".releaserc.json", "j${version}"
            ),
            ([".releaserc.yaml": "tagFormat: 'y${version}'\nbranches: [main]\n"], ".releaserc.yaml", "y${version}"),
            (
                [".releaserc.yml": "tagFormat: 'y${version}'\n", "release.config.js": "module.exports = {}"], ".releaserc.yml",
                "y${version}"
            ),
        ])
    func semanticReleaseFiles(files: [String: String], file: String, tagFormat: String) throws {
        let root = try directory(files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = try ReleaseToolConfig.semanticRelease(in: root)
        #expect(found.file == file)
        #expect(found.options["tagFormat"]?.stringValue == tagFormat)
    }

    @Test("YAML values keep their types: true is a boolean, a quoted 'true' a string")
    func yamlTypes() throws {
        let root = try directory([
            ".releaserc.yml": "branches:\n  - name: beta\n    prerelease: true\n  - name: rc\n    prerelease: 'true'\n"
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let branches = try ReleaseToolConfig.semanticRelease(in: root).options["branches"]?.arrayValue ?? []
        #expect(branches.map { $0["prerelease"] } == [.bool(true), .string("true")])
    }

    @Test(
        "a JavaScript configuration, no configuration and broken files are one-line errors that say what to do",
        arguments: [
            (
                [".releaserc.cjs": "module.exports = {}"],
                "'.releaserc.cjs' is JavaScript, which berth doesn't run: write its options to .releaserc.json"
            ),
            (["release.config.mjs": "export default {}"], "'release.config.mjs' is JavaScript"),
            (["package.json": #"{"name": "x"}"#], "no semantic-release configuration in"),
            ([".releaserc.json": "{\"branches\": [main"], ".releaserc.json: not valid JSON"),
            ([".releaserc.yaml": "branches: [main\n"], ".releaserc.yaml: not valid YAML"),
        ])
    func semanticReleaseErrors(files: [String: String], fragment: String) throws {
        let root = try directory(files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect {
            try ReleaseToolConfig.semanticRelease(in: root)
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.message.contains(fragment) && !error.message.contains("\n")
        }
    }

    @Test("commitizen: [tool.commitizen] in .cz.toml before pyproject.toml; a pyproject.toml without it is passed over")
    func commitizenFiles() throws {
        let toml = """
            [project]
            name = "x" # a comment
            [tool.commitizen]
            name = "cz_conventional_commits"
            tag_format = "v$version"
            version_files = [
              "src/x/__init__.py:__version__",
            ]
            major_version_zero = true
            """
        let root = try directory(["pyproject.toml": toml])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = try ReleaseToolConfig.commitizen(in: root)
        #expect(found.file == "pyproject.toml [tool.commitizen]")
        #expect(found.settings["tag_format"]?.stringValue == "v$version")
        #expect(found.settings["major_version_zero"] == .bool(true))
        #expect(found.settings["version_files"]?.stringArray == ["src/x/__init__.py:__version__"])
        let both = try directory([".cz.toml": "[tool.commitizen]\ntag_format = \"cz-$version\"\n", "pyproject.toml": toml])
        defer { try? FileManager.default.removeItem(atPath: both) }
        #expect(try ReleaseToolConfig.commitizen(in: both).settings["tag_format"]?.stringValue == "cz-$version")
        let none = try directory(["pyproject.toml": "[project]\nname = \"x\"\n"])
        defer { try? FileManager.default.removeItem(atPath: none) }
        #expect(throws: BerthError.self) { try ReleaseToolConfig.commitizen(in: none) }
    }

    @Test("broken TOML names the file, line and column")
    func brokenTOML() throws {
        let root = try directory(["pyproject.toml": "[tool.commitizen]\ntag_format = \"v$version\nname = 1\n"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect {
            try ReleaseToolConfig.commitizen(in: root)
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .badInput && error.message.hasPrefix("pyproject.toml:2:")
                && error.message.contains("not valid TOML")
                && !error.message.contains("\n")
        }
    }
}
