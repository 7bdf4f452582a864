import BerthTestSupport
import Foundation
import Testing

/// `--deepen` and `version.deepen` through the built binary, on a `git clone --depth 1 file://…` of a bare remote.
@Suite("deepening a shallow clone, through the built binary")
struct DeepenCLITests {
    /// A repository with a release 12 commits back, its bare remote, and a one-commit clone of it.
    static func shallowClone() throws -> (repo: GitRepoBuilder, clone: String) {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.2.0", annotated: true)
        for index in 1...12 { try repo.commit(index == 6 ? "feat: login" : "fix: change \(index)") }
        let remote = try repo.makeBareRemote()
        try repo.git("push", "-q", "origin", "main", "--tags")
        let clone = URL(fileURLWithPath: remote).deletingLastPathComponent().appendingPathComponent("clone").path
        try repo.git("clone", "-q", "--depth", "1", "file://\(remote)", clone)
        return (repo, clone)
    }

    @Test("plan --deepen plans the version the full history gives; --json says how many steps it took")
    func deepenFlag() throws {
        let cli = try CLIHarness()
        let (repo, clone) = try Self.shallowClone()
        let refused = try cli.run(["version"], in: clone, environment: repo.environment)
        #expect(refused.status == 1 && refused.stderr.contains("pass --deepen"))

        let json = try cli.run(["plan", "--deepen", "--json"], in: clone, environment: repo.environment)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let version = try #require(object["version"] as? [String: Any], "\(json.stdout)")
        #expect(version["version"] as? String == "1.3.0")
        let deepen = try #require(version["deepen"] as? [String: Any], "\(json.stdout)")
        #expect(deepen["steps"] as? Int == 1 && deepen["outcome"] as? String == "base-reached")
        #expect(deepen["tags_fetched"] as? Int == 1 && deepen["shallow"] as? Bool == true)
        let fetches = try #require(deepen["fetches"] as? [[String: Any]])
        #expect(fetches.first?["kind"] as? String == "shallow-exclude" && fetches.first?["release_tags"] as? Int == 1)
        #expect((version["explanation"] as? String)?.contains("in 1 deepen step") == true)
        // Once deepened, the clone plans on its own.
        #expect(try cli.run(["version", "-q"], in: clone, environment: repo.environment).stdout == "1.3.0\n")
    }

    @Test(
        "version.deepen: true in berth.yaml deepens; --no-deepen and --offline turn it off; --deepen --offline is a usage error")
    func configured() throws {
        let cli = try CLIHarness()
        let (repo, clone) = try Self.shallowClone()
        try Data("version:\n  deepen: true\n".utf8).write(to: URL(fileURLWithPath: clone + "/berth.yaml"))
        let off = try cli.run(["version", "--no-deepen", "--allow-dirty"], in: clone, environment: repo.environment)
        #expect(off.status == 1 && off.stderr.contains("shallow clone"))
        let offline = try cli.run(["version", "--offline", "--allow-dirty"], in: clone, environment: repo.environment)
        #expect(offline.status == 1 && offline.stderr.contains("shallow clone"))
        let both = try cli.run(["version", "--deepen", "--offline"], in: clone, environment: repo.environment)
        #expect(both.status == 64 && both.stderr.contains("--offline"))
        let on = try cli.run(["version", "--allow-dirty"], in: clone, environment: repo.environment)
        #expect(on.status == 0 && on.stdout.contains("1.3.0") && on.stdout.contains("deepened from 'origin'"), "\(on.stderr)")
    }

    @Test("an unreachable remote exits 1 with one line naming it and what to do")
    func unreachable() throws {
        let cli = try CLIHarness()
        let (repo, clone) = try Self.shallowClone()
        try repo.git("-C", clone, "remote", "set-url", "origin", "file:///nonexistent/berth-remote.git")
        let result = try cli.run(["tags", "--deepen"], in: clone, environment: repo.environment)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(
            lines.count == 1 && lines[0].contains("remote 'origin'") && lines[0].contains("git ls-remote origin"),
            "\(result.stderr)")
    }
}
