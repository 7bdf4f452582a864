import BerthLayout
import BerthTestSupport
import Foundation
import Testing

/// berth killed between the steps of `release` and `promote` (BERTH_CRASH_AT exits like a SIGKILL),
/// then run again: every re-run converges to the one outcome, with no second release or promotion.
@Suite("a crash at any step of release or promote, then a re-run", .serialized, .requires(.dockerRegistry))
struct CrashRecoveryTests {
    static let releasePoints = [
        "release.image-tagged", "release.images-tagged", "release.git-tagged", "release.git-pushed", "release.recorded",
    ]

    @Test("release: a crash after each step, a re-run, and the ledger, registry and remote agree", arguments: releasePoints)
    func release(crashAt point: String) async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        // Two image names: their release events are recorded together or not at all.
        let images = ["\(registry.host)/acme/api", "\(registry.host)/acme/api-mirror"]
        let (repo, remote) = try LifecycleCLITests.project(image: images.joined(separator: ", "))
        let digests = try await images.asyncMap { try await LifecycleCLITests.pushBuild(cli, repo: repo, image: $0) }
        try #require(Set(digests).count == 1)
        func berth(_ arguments: [String], crash: String? = nil) throws -> ShellResult {
            try cli.run(
                arguments, in: repo.path,
                environment: repo.environment.merging(crash.map { ["BERTH_CRASH_AT": $0] } ?? [:]) { $1 })
        }

        let crashed = try berth(["release"], crash: point)
        try #require(crashed.status == 137 && crashed.stderr.contains("crashing at \(point)"), "\(crashed.stderr)")
        let rerun = try berth(["release"])
        if point == "release.recorded" {
            #expect(rerun.status == 3 && rerun.stderr.contains("already released"), "\(rerun.stderr)")
        } else {
            #expect(rerun.status == 0, "\(rerun.stderr)")
        }
        let third = try berth(["release"])
        #expect(third.status == 3 && third.stderr.contains("already released"), "\(third.stderr)")

        for image in images {
            let history = try LifecycleCLITests.json(try berth(["history", "--image", image, "--json"])) as? [[String: Any]]
            let released = history?.filter { $0["kind"] as? String == "released" }
            #expect(
                released?.map { $0["digest"] as? String } == [digests[0]], "\(image): one release: \(String(describing: history))"
            )
            // Every tag of the release is accounted for once, after it is verified: what a run wrote, and
            // what a crashed run wrote but never recorded (the sha- tag, pushed by the build, too).
            let written =
                history?.filter { $0["kind"] as? String == "tagged" }
                .flatMap { (($0["details"] as? [String: String])?["tags"] ?? "").split(separator: ",").map(String.init) } ?? []
            let sha = "sha-" + (try repo.git("rev-parse", "--short=7", "HEAD"))
            #expect(
                Set(written) == ["latest", "v0.1", "v0.1.0", sha] && Set(written).count == written.count, "\(image): \(written)")
            for tag in ["v0.1.0", "v0.1", "latest"] {
                let resolved = try berth(["registry", "digest", "\(image):\(tag)"]).stdout
                #expect(resolved == digests[0] + "\n", "\(image):\(tag)")
            }
        }
        let head = try repo.git("rev-parse", "HEAD")
        let remoteTag = try Shell.run(
            "/usr/bin/git", ["-C", remote, "rev-parse", "v0.1.0^{commit}"], environment: repo.environment)
        #expect(remoteTag.stdout == head + "\n", "the pushed git tag names the released commit")
    }

    @Test("promote: a crash after the retag, and after the record; re-runs record exactly one promotion")
    func promote() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/api"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        func berth(_ arguments: String..., crash: String? = nil) throws -> ShellResult {
            try cli.run(
                arguments, in: repo.path,
                environment: repo.environment.merging(crash.map { ["BERTH_CRASH_AT": $0] } ?? [:]) { $1 })
        }
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: repo.environment)

        // Killed between the retag and its verification: the tag is there, no promotion is recorded.
        let afterRetag = try berth("promote", "0.1.0", "--to", "dev", crash: "promote.retagged")
        try #require(afterRetag.status == 137, "\(afterRetag.stderr)")
        #expect(try berth("registry", "digest", "\(image):v0.1.0-dev").stdout == digest + "\n")
        #expect((try LifecycleCLITests.json(try berth("status", "--json")) as? [Any])?.isEmpty == true)
        let rerun = try berth("promote", "0.1.0", "--to", "dev")
        #expect(rerun.status == 0 && rerun.stdout.contains("promoted 0.1.0"), "\(rerun.stdout)\(rerun.stderr)")

        // Killed after the record: the re-run sees the environment already there and records nothing.
        let afterRecord = try berth("promote", "0.1.0", "--to", "staging", crash: "promote.recorded")
        try #require(afterRecord.status == 137, "\(afterRecord.stderr)")
        let again = try berth("promote", "0.1.0", "--to", "staging")
        #expect(again.status == 0 && again.stdout.contains("already in staging"), "\(again.stdout)\(again.stderr)")

        let history = try LifecycleCLITests.json(try berth("history", "--json")) as? [[String: Any]]
        #expect(
            history?.map { "\($0["kind"] as? String ?? "") \($0["environment"] as? String ?? "")" }
                == ["promoted staging", "promoted dev", "gate-evaluated ", "released ", "tagged "],
            "\(String(describing: history))")
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
