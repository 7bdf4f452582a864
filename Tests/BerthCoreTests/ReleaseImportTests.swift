import BerthCore
import BerthOCI
import Testing

/// semantic-release's and commitizen's settings converted to berth's version rules.
@Suite("berth init --from: converting release rules")
struct ReleaseImportTests {
    static func object(_ members: [String: JSONValue]) -> JSONValue { .object(members) }

    @Test("semantic-release with no options: its default branches, tag v${version}, its preset")
    func semanticReleaseDefaults() {
        let rules = SemanticReleaseImport.convert(.object([:]), source: ".releaserc")
        #expect(rules.preset == .semanticRelease)
        #expect(rules.tagPrefix == "v")
        #expect(rules.defaultBranch == nil)
        #expect(
            rules.channels == [
                ChannelRule(branch: "*.x", prerelease: nil), ChannelRule(branch: "next", prerelease: nil),
                ChannelRule(branch: "next-major", prerelease: nil), ChannelRule(branch: "beta", prerelease: "beta"),
                ChannelRule(branch: "alpha", prerelease: "alpha"),
            ])
        #expect(rules.notCarried.isEmpty)
    }

    @Test("tagFormat, branches and releaseRules carry over; the rest is named one line each")
    func semanticReleaseFull() {
        let config = Self.object([
            "tagFormat": "api/v${version}",
            "branches": .array([
                "main", .object(["name": "next", "channel": "next"]), .object(["name": "beta", "prerelease": true]),
                .object(["name": "rc/*", "prerelease": "rc"]), .object(["name": "1.x", "range": "1.x"]),
                "+([0-9])?(.{+([0-9]),x}).x",
            ]),
            "plugins": .array([
                .array([
                    "@semantic-release/commit-analyzer",
                    .object([
                        "preset": "conventionalcommits",
                        "releaseRules": .array([
                            .object(["type": "build", "scope": "deps", "release": "patch"]),
                            .object(["type": "docs", "scope": "README", "release": "patch"]),
                            .object(["type": "refactor", "scope": "core-*", "release": "minor"]),
                            .object(["type": "refactor", "release": "patch"]),
                            .object(["scope": "no-release", "release": false]),
                            .object(["revert": true, "release": "minor"]),
                            .object(["breaking": true, "release": "minor"]),
                            .object(["tag": "Docs", "message": "*README*", "release": "patch"]),
                            .object(["type": "feat", "release": "prerelease"]),
                            .object(["type": "docs", "scope": "README", "release": "minor"]),
                        ]),
                    ]),
                ]),
                "@semantic-release/npm",
            ]),
            "extends": "@acme/release-config",
        ])
        let rules = SemanticReleaseImport.convert(config, source: ".releaserc.json")
        #expect(rules.tagPrefix == "api/v")
        #expect(rules.defaultBranch == "main")
        #expect(
            rules.channels == [
                ChannelRule(branch: "next", prerelease: nil), ChannelRule(branch: "beta", prerelease: "beta"),
                ChannelRule(branch: "rc/*", prerelease: "rc"), ChannelRule(branch: "1.x", prerelease: nil),
                ChannelRule(branch: "*.x", prerelease: nil),
            ])
        #expect(
            rules.bumps.map(\.explanation) == [
                "build(deps) → patch", "docs(README) → minor", "refactor(core-*) → minor", "refactor → patch",
                "*(no-release) → none", "revert → minor",
            ])
        #expect(
            rules.notCarried == [
                "branches 'next' channel 'next': berth has no distribution channels",
                "branches '1.x': berth releases it but doesn't hold it to its range",
                "branches '+([0-9])?(.{+([0-9]),x}).x': written as '*.x' (N.x and N.N.x branches); berth doesn't hold them to their range",
                "plugin '@semantic-release/npm': berth has no such step",
                "releaseRules {breaking: true, release: minor}: berth releases a breaking change as major (breaking_below_1 before 1.0.0) whatever the rules say",
                "releaseRules {message: *README*, release: patch, tag: Docs}: berth's rules match type and scope, not 'message'",
                "releaseRules {release: prerelease, type: feat}: release 'prerelease' has no berth equivalent (major, minor, patch or false)",
                "extends '@acme/release-config': shared configurations are not read; copy their options into .releaserc.json",
            ])
    }

    @Test("top-level analyzer options count, the plugin's own override them; unknown presets and modules are named")
    func semanticReleaseTopLevel() {
        let config = Self.object([
            "releaseRules": .array([.object(["type": "style", "release": "patch"])]), "preset": "eslint",
            "tagFormat": "${version}-release", "branches": "trunk",
        ])
        let rules = SemanticReleaseImport.convert(config, source: "package.json#release")
        #expect(rules.bumps.map(\.key) == ["style"])
        #expect(rules.tagPrefix == "v")
        #expect(rules.defaultBranch == "trunk")
        #expect(rules.channels == [])
        #expect(
            rules.notCarried == [
                "tagFormat '${version}-release': berth tags are a prefix then the version; kept 'v'",
                "preset 'eslint': berth reads Conventional Commits (angular, conventionalcommits) only",
            ])
        let module = SemanticReleaseImport.convert(Self.object(["releaseRules": "./rules.cjs"]), source: ".releaserc")
        #expect(module.notCarried.last == "releaseRules './rules.cjs': a module is not run; write its rules under version.bumps")
    }

    @Test("commitizen: tag_format, major_version_zero; what it does beyond versions is named")
    func commitizen() {
        let settings = Self.object([
            "name": "cz_conventional_commits", "tag_format": "v$version", "version": "0.4.2", "major_version_zero": true,
            "version_scheme": "pep440", "version_files": .array(["src/x/__init__.py:__version__"]),
            "update_changelog_on_bump": true, "use_shortcuts": true,
        ])
        let rules = CommitizenImport.convert(settings, source: "pyproject.toml [tool.commitizen]")
        #expect(rules.preset == .commitizen)
        #expect(rules.tagPrefix == "v")
        #expect(rules.breakingBumpBelowOne == .minor)
        #expect(rules.channels == nil)
        #expect(
            rules.notCarried == [
                "version_scheme 'pep440': berth writes SemVer pre-releases (1.2.0-rc.1, not 1.2.0rc1)",
                "version '0.4.2': berth reads the current version from the last release tag",
                "update_changelog_on_bump 'true': berth has no such step",
                "version_files '[src/x/__init__.py:__version__]': berth has no such step",
            ])
    }

    @Test(
        "commitizen tag formats: $version is no prefix; a format with more than a prefix is named",
        arguments: [
            ("$version", "", true), ("${version}", "", true), ("release-$version", "release-", true),
            ("v$major.$minor.$patch$prerelease", "", false),
        ])
    func commitizenTagFormats(format: String, prefix: String, carried: Bool) {
        let rules = CommitizenImport.convert(Self.object(["tag_format": .string(format)]), source: ".cz.toml")
        #expect(rules.tagPrefix == prefix)
        #expect(rules.notCarried.isEmpty == carried)
    }

    @Test("commitizen with a custom rules plugin: named, not guessed")
    func commitizenCustom() {
        let rules = CommitizenImport.convert(Self.object(["name": "cz_customize"]), source: ".cz.toml")
        #expect(
            rules.notCarried == [
                "name 'cz_customize': its bump rules are code or regular expressions; write them under version.bumps"
            ])
    }
}

// Configuration values written as literals in the tables above.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
