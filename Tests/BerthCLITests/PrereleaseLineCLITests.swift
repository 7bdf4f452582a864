import BerthTestSupport
import Foundation
import Testing

/// A main branch that tags only pre-releases above an old final, through the built binary.
@Suite("pre-release lines on a releasing branch, through the built binary")
struct PrereleaseLineCLITests {
    static func repository() throws -> GitRepoBuilder {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0", annotated: true)
        try repo.commit("feat: next")
        try repo.tag("v2.0.0-next.1", annotated: true)
        try repo.commit("fix: after it")
        return repo
    }

    @Test("version --json continues the line and says why; --final-channel and berth.yaml make the branch release finals")
    func prereleaseLine() throws {
        let cli = try CLIHarness()
        let repo = try Self.repository()
        let json = try cli.run(["version", "--json"], in: repo.path, environment: repo.environment)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["version"] as? String == "2.0.0-next.2")
        let adjustment = try #require(object["adjustment"] as? [String: Any], "\(json.stdout)")
        #expect(adjustment["kind"] as? String == "continued-prerelease-line")
        #expect(adjustment["bumped"] as? String == "1.1.0")
        #expect((adjustment["highest"] as? [String: Any])?["tag"] as? String == "v2.0.0-next.1")
        #expect((object["explanation"] as? String)?.contains("1.1.0 is not above 'v2.0.0-next.1'") == true)

        let final = try cli.run(["version", "-q", "--final-channel"], in: repo.path, environment: repo.environment)
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stdout.hasPrefix("2.0.0"), "\(final.stdout)")
        #expect(!final.stdout.contains("next"), "\(final.stdout)")

        try repo.write("berth.yaml", "version:\n  prerelease_line: final\n")
        let configured = try cli.run(["version", "--json", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(configured.status == 0, "\(configured.stderr)")
        #expect(configured.stdout.contains("\"final-above-prereleases\""), "\(configured.stdout)")

        try repo.write("berth.yaml", "version:\n  prerelease_line: sometimes\n")
        let bad = try cli.run(["version", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("prerelease_line"), "\(bad.stderr)")
        #expect(bad.stderr.contains("continue, final"), "\(bad.stderr)")
    }
}
