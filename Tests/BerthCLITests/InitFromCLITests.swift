import BerthTestSupport
import Foundation
import Testing

/// `berth init --from`: another release tool's real files in, a berth.yaml that berth then plans with.
@Suite("berth init --from semantic-release | commitizen")
struct InitFromCLITests {
    @Test("--from semantic-release converts .releaserc.json; berth version then applies its scoped rule and says so")
    func semanticRelease() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        defer { repo.remove() }
        try repo.write(
            ".releaserc.json",
            """
            {
            \t"branches": ["main", {"name": "beta", "prerelease": true}],
            \t"tagFormat": "api/v${version}",
            \t"plugins": [
            \t\t["@semantic-release/commit-analyzer", {"releaseRules": [
            \t\t\t{"type": "build", "scope": "deps", "release": "patch"},
            \t\t\t{"scope": "no-release", "release": false},
            \t\t\t{"subject": "*hotfix*", "release": "patch"}
            \t\t]}],
            \t\t"@semantic-release/github"
            \t]
            }
            """)
        try repo.commit("feat: first")
        try repo.tag("api/v1.4.0")
        try repo.commit("build(deps): bump yams to 6.2.2")
        try repo.commit("build: swift 6.3")
        try repo.commit("feat(no-release): hidden")
        let result = try cli.run(["init", "--from", "semantic-release", "--no-ci"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "wrote berth.yaml\n")
        #expect(
            result.stderr == """
                berth: not carried over: plugin '@semantic-release/github': berth has no such step
                berth: not carried over: releaseRules {release: patch, subject: *hotfix*}: berth's rules match type and scope, not 'subject'

                """)
        let yaml = try String(contentsOfFile: repo.path + "/berth.yaml", encoding: .utf8)
        #expect(yaml.contains("  preset: semantic-release"))
        #expect(yaml.contains("    \"build(deps)\": patch\n    \"*(no-release)\": none\n"))
        #expect(yaml.contains("    - branch: \"beta\"\n      prerelease: \"beta\"\n"))

        let version = try cli.run(["version", "--json", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(version.status == 0, "\(version.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(version.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "1.4.1")
        #expect(document["git_tag"] as? String == "api/v1.4.1")
        let commits = try #require(document["commits"] as? [[String: Any]])
        #expect(commits.map { $0["why"] as? String } == ["*(no-release) → none", "build: no rule → none", "build(deps) → patch"])
        #expect(commits.map { $0["rule"] as? String } == ["*(no-release)", nil, "build(deps)"])

        let again = try cli.run(["init", "--from", "semantic-release", "--no-ci"], in: repo.path, environment: repo.environment)
        #expect(again.status == 3 && again.stderr.contains("--force"))
    }

    @Test("--from commitizen reads pyproject.toml; a tag format without a prefix and major_version_zero carry over")
    func commitizen() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        defer { repo.remove() }
        try repo.write(
            "pyproject.toml",
            """
            [project]
            name = "svc"

            [tool.commitizen]
            name = "cz_conventional_commits"
            version = "0.3.1"
            tag_format = "$version"
            major_version_zero = true
            version_files = ["svc/__init__.py:__version__"]
            """)
        try repo.commit("feat: first")
        try repo.tag("0.3.1")
        try repo.commit("refactor!: new storage layout")
        let result = try cli.run(["init", "--from", "commitizen", "--no-ci"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr == """
                berth: not carried over: version '0.3.1': berth reads the current version from the last release tag
                berth: not carried over: version_files '[svc/__init__.py:__version__]': berth has no such step

                """)
        let version = try cli.run(["version", "-q", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(version.stdout == "0.4.0\n", "\(version.stderr)")
    }

    @Test("a JavaScript configuration is reported, not run, and nothing is written")
    func javaScript() throws {
        let cli = try CLIHarness()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-init-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("module.exports = { branches: ['main'] }\n".utf8).write(
            to: URL(fileURLWithPath: directory + "/release.config.js"))
        let result = try cli.run(["init", "--from", "semantic-release"], in: directory)
        #expect(result.status == 64)
        #expect(result.stderr.contains("'release.config.js' is JavaScript, which berth doesn't run"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/berth.yaml"))
    }
}
