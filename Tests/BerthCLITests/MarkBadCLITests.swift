import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// `berth mark-bad` through the built binary, on an OCI layout and a SQLite ledger.
@Suite("berth mark-bad")
struct MarkBadCLITests {
    @Test(
        "marks the digest a version ran as in an environment bad (once, with the actor and reason); promote then refuses it with exit 4"
    )
    func markBad() async throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        let layout = repo.path + "/../store"
        let store = try OCILayoutStore(path: layout)
        try repo.write("berth.yaml", "image:\n  names: [oci:\(layout)]\nledger: ../ledger.sqlite\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("feat: first endpoint")
        var environment = repo.environment
        environment["USER"] = "oncall-ana"
        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: environment)
        }
        let head = try repo.git("rev-parse", "--short=7", "HEAD")
        let build = try await TestImages.push(into: store, repository: "", tag: "sha-\(head)", seed: "bad")
        #expect(try berth("plan", "--record", "--quiet").status == 0)
        try LifecycleCLITests.releaseCleared(
            cli, repo: repo, image: "oci:\(layout)", digest: build.digest.description, environment: environment)
        #expect(try berth("promote", "0.1.0", "--to", "dev").status == 0)

        let marked = try berth("mark-bad", "0.1.0", "--env", "dev", "--reason", "500s after the deploy")
        #expect(marked.status == 0, "\(marked.stderr)")
        #expect(marked.stdout.hasPrefix("marked bad: oci:\(layout) 0.1.0 (\(build.digest)) in dev (event "), "\(marked.stdout)")
        let again =
            try LifecycleCLITests.json(
                try berth("mark-bad", "0.1.0", "--env", "dev", "--reason", "still bad", "--json")) as? [String: String]
        #expect(again?["status"] == "already" && again?["actor"] == "oncall-ana", "\(String(describing: again))")
        #expect(again?["digest"] == build.digest.description && again?["reason"] == "500s after the deploy")

        let promote = try berth("promote", "0.1.0", "--to", "staging")
        #expect(promote.status == 4, "\(promote.stdout)\(promote.stderr)")
        #expect(promote.stderr.contains("was marked bad") && promote.stderr.contains("500s after the deploy"))

        let history = try LifecycleCLITests.json(try berth("history", "--json")) as? [[String: Any]]
        let marks = history?.filter { $0["kind"] as? String == "marked-bad" } ?? []
        #expect(marks.count == 1, "once per digest and environment: \(marks)")
        #expect(marks.first?["actor"] as? String == "oncall-ana" && marks.first?["environment"] as? String == "dev")
    }

    @Test("a version that never ran there exits 1, an unknown environment or an empty reason 64, each in one line")
    func refusals() async throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.write("berth.yaml", "image:\n  names: [registry.example/acme/api]\nledger: ../ledger.sqlite\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("feat: first endpoint")
        for (arguments, status, says) in [
            (["mark-bad", "0.1.0", "--env", "prod", "--reason", "r"], Int32(1), "never ran in prod"),
            (["mark-bad", "0.1.0", "--env", "qa", "--reason", "r"], 64, "unknown environment 'qa'"),
            (["mark-bad", "0.1.0", "--env", "dev", "--reason", " "], 64, "--reason is empty"),
            (["mark-bad", "not-a-version", "--env", "dev", "--reason", "r"], 65, "not-a-version"),
            (["mark-bad", "0.1.0", "--reason", "r"], 64, "--env"),
        ] {
            let result = try cli.run(arguments, in: repo.path, environment: repo.environment)
            #expect(result.status == status, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(says), "\(arguments): \(result.stderr)")
            // ArgumentParser's own usage text follows a missing option.
            if !says.hasPrefix("--env") {
                #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(result.stderr)")
            }
        }
    }
}
