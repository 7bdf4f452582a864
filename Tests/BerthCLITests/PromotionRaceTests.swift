import BerthTestSupport
import Foundation
import Testing

/// Promotions, deployments and rollbacks are exactly once like releases: of many `berth` processes
/// racing on one environment one records, the others exit 3 (or, arriving after it, find nothing to do),
/// on SQLite and on PostgreSQL, and a deploy step commits once.
@Suite("racing promotions, deployments and rollbacks", .serialized, .requires(.dockerRegistry))
struct PromotionRaceTests {
    /// Runs `count` copies of `arguments` at once; returns each one's exit code, stdout and stderr.
    static func race(_ count: Int, _ arguments: [String], cli: CLIHarness, repo: GitRepoBuilder, ledger: String?) throws
        -> [(status: Int32, stdout: String, stderr: String)]
    {
        let logs = (0..<count).map { repo.path + "/../race-\(UUID().uuidString)-\($0)" }
        let processes = (0..<count).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cli.binary)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: repo.path)
            process.environment = repo.environment.merging([
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            ]) { $1 }.merging(ledger.map { ["BERTH_LEDGER": $0] } ?? [:]) { $1 }
            FileManager.default.createFile(atPath: logs[index] + ".out", contents: nil)
            FileManager.default.createFile(atPath: logs[index] + ".err", contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: logs[index] + ".out")
            process.standardError = FileHandle(forWritingAtPath: logs[index] + ".err")
            return process
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }
        return processes.indices.map { index in
            (
                processes[index].terminationStatus,
                (try? String(contentsOfFile: logs[index] + ".out", encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: logs[index] + ".err", encoding: .utf8)) ?? ""
            )
        }
    }

    /// Every run either recorded (exit 0 with `recorded`), lost the race (exit 3, told so), or came after
    /// the winner and found nothing to do (exit 0); exactly one recorded.
    static func expectOneWinner(
        _ results: [(status: Int32, stdout: String, stderr: String)], recorded: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let unexpected = results.filter {
            !($0.status == 0
                || ($0.status == 3
                    && ($0.stderr.contains("another run recorded the") || $0.stderr.contains("was already rolled back"))))
        }
        #expect(unexpected.isEmpty, "\(unexpected)", sourceLocation: sourceLocation)
        #expect(
            results.filter { $0.status == 0 && $0.stdout.contains(recorded) }.count == 1, "\(results.map(\.stdout))",
            sourceLocation: sourceLocation)
    }

    func promoteRace(ledger: String?) async throws -> (GitRepoBuilder, [[String: Any]]) {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/race"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        let env = repo.environment.merging(ledger.map { ["BERTH_LEDGER": $0] } ?? [:]) { $1 }
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: env)
        let results = try Self.race(16, ["promote", "0.1.0", "--to", "dev"], cli: cli, repo: repo, ledger: ledger)
        Self.expectOneWinner(results, recorded: "promoted 0.1.0")
        let history = try cli.run(["history", "--json", "--limit", "100"], in: repo.path, environment: env)
        let events = try LifecycleCLITests.json(history) as? [[String: Any]] ?? []
        #expect(events.filter { $0["kind"] as? String == "promoted" }.count == 1, "\(history.stdout)")
        let tag = try cli.run(["registry", "digest", "\(image):v0.1.0-dev"], in: repo.path, environment: env)
        #expect(tag.stdout == digest + "\n")
        return (repo, events)
    }

    @Test("16 berth promote runs into one environment, SQLite: one promotion recorded")
    func promoteSQLite() async throws {
        _ = try await promoteRace(ledger: nil)
    }

    @Test("16 berth promote runs into one environment, PostgreSQL: one promotion recorded", .requires(.postgresql))
    func promotePostgres() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        _ = try await promoteRace(ledger: try server.createDatabase("promote_race"))
    }

    @Test("8 berth promote runs with a deploy step: one promotion, one deployment, one commit, no git error")
    func promoteWithDeploy() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/race"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        try repo.write(
            "berth.yaml",
            "image:\n  names: [\(image)]\nledger: ../ledger.sqlite\ndeploy:\n  dev:\n    kustomization: k8s/kustomization.yaml\n")
        try repo.write("k8s/kustomization.yaml", "images:\n- name: \(image)\n  newTag: v0.0.0\n")
        try repo.git("add", "berth.yaml", "k8s/kustomization.yaml")
        try repo.commit("feat: deploy dev with kustomize")
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: repo.environment)
        let results = try Self.race(8, ["promote", "0.1.0", "--to", "dev"], cli: cli, repo: repo, ledger: nil)
        #expect(
            results.allSatisfy { $0.status == 0 || ($0.status == 3 && $0.stderr.contains("another run recorded the")) },
            "\(results)")
        let history = try cli.run(["history", "--json", "--limit", "100"], in: repo.path, environment: repo.environment)
        let events = try LifecycleCLITests.json(history) as? [[String: Any]] ?? []
        #expect(events.filter { $0["kind"] as? String == "promoted" }.count == 1)
        #expect(events.filter { $0["kind"] as? String == "deployed" }.count == 1, "\(history.stdout)")
        let log = try repo.git("log", "--format=%s")
        #expect(log.components(separatedBy: "\n").filter { $0.hasPrefix("chore(deploy)") }.count == 1, "\(log)")
        #expect(try repo.git("status", "--porcelain", "--untracked-files=no") == "", "the tree is clean")
    }

    @Test("8 berth rollback runs of one environment: one rollback recorded, one bad mark")
    func rollbackRace() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/race"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        let env = repo.environment
        func berth(_ arguments: String...) throws -> ShellResult { try cli.run(arguments, in: repo.path, environment: env) }
        let first = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: first, environment: env)
        try #require(try berth("promote", "0.1.0", "--to", "dev").status == 0)
        try repo.commit("feat: second endpoint")
        let second = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        try #require(try berth("release").status == 0)
        let report = try LifecycleCLITests.report("trivy-clean.json", about: second, in: repo.path + "/..")
        try #require(try berth("gate", "--report", report, "--image", "\(image):v0.2.0").status == 0)
        try #require(try berth("promote", "0.2.0", "--to", "dev").status == 0)

        let results = try Self.race(8, ["rollback", "dev", "--reason", "5xx"], cli: cli, repo: repo, ledger: nil)
        Self.expectOneWinner(results, recorded: "rolled back dev")
        let events = try LifecycleCLITests.json(try berth("history", "--json", "--limit", "100")) as? [[String: Any]] ?? []
        #expect(events.filter { $0["kind"] as? String == "rolled-back" }.count == 1)
        #expect(events.filter { $0["kind"] as? String == "marked-bad" }.count == 1)
        let status = try LifecycleCLITests.json(try berth("status", "--json")) as? [[String: Any]]
        #expect(status?.first?["digest"] as? String == first, "dev runs 0.1.0 again")
    }
}
