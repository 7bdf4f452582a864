import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// The release lifecycle against a real Docker Distribution and a real SQLite ledger: release → gate
/// (each kind of report) → approve → promote ×3, checking registry tags and the ledger at every step.
@Suite("release, gates, approvals and promotion", .serialized, .requires(.dockerRegistry))
struct LifecycleCLITests {
    static let ownReports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BerthCoreTests/Fixtures/scan-reports").path

    /// A repository whose berth.yaml names `image`, and a bare remote it pushes tags to.
    static func project(image: String) throws -> (GitRepoBuilder, String) {
        let repo = try GitRepoBuilder()
        let remote = repo.path + "/../remote.git"
        try Shell.run("/usr/bin/git", ["init", "-q", "--bare", remote], environment: repo.environment).check()
        try repo.write("berth.yaml", "image:\n  names: [\(image)]\nledger: ../ledger.sqlite\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("feat: first endpoint")
        try repo.git("remote", "add", "origin", remote)
        return (repo, remote)
    }

    /// Pushes a synthetic image to `image:sha-<head>` (what berth build leaves) through a layout and berth registry cp.
    static func pushBuild(_ cli: CLIHarness, repo: GitRepoBuilder, image: String) async throws -> String {
        let head = try repo.git("rev-parse", "--short=7", "HEAD")
        let layout = repo.path + "/../layout-\(head)"
        let document = try await TestImages.push(into: try OCILayoutStore(path: layout), repository: "", tag: "build", seed: head)
        let copy = try cli.run(
            ["registry", "cp", "oci:\(layout):build", "\(image):sha-\(head)"], in: repo.path, environment: repo.environment)
        try #require(copy.status == 0, "\(copy.stderr)")
        return document.digest.description
    }

    /// One of berth's own reports, made about `digest` (its config digest and repo digest replaced).
    static func report(_ name: String, about digest: String, in directory: String) throws -> String {
        var json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(ownReports)/\(name)")))
            as! [String: Any]
        if var metadata = json["Metadata"] as? [String: Any] {
            metadata["ImageID"] = nil
            metadata["RepoDigests"] = ["registry.example/api@\(digest)"]
            json["Metadata"] = metadata
        }
        if var source = json["source"] as? [String: Any], var target = source["target"] as? [String: Any] {
            target["manifestDigest"] = digest
            target["imageID"] = nil
            source["target"] = target
            json["source"] = source
        }
        let path = "\(directory)/\(name)"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Releases HEAD's build (0.1.0) and records a clean gate for it: where every promotion scenario starts.
    static func releaseCleared(
        _ cli: CLIHarness, repo: GitRepoBuilder, image: String, digest: String, environment: [String: String]
    ) throws {
        let release = try cli.run(["release"], in: repo.path, environment: environment)
        try #require(release.status == 0, "\(release.stderr)")
        let report = try report("trivy-clean.json", about: digest, in: repo.path + "/..")
        let gate = try cli.run(
            ["gate", "--report", report, "--image", "\(image):v0.1.0"], in: repo.path, environment: environment)
        try #require(gate.status == 0, "\(gate.stdout)\(gate.stderr)")
    }

    static func json(_ result: ShellResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) }

    /// One project on a fresh registry: the CLI, the image, HEAD's build pushed, `berth` in the repository.
    struct Scenario {
        let cli: CLIHarness
        let registry: RegistryServer
        let image: String
        let repo: GitRepoBuilder
        let remote: String
        let digest: String
        var reports: String { repo.path + "/.." }

        static func start(build: Bool = true) async throws -> Scenario {
            let cli = try CLIHarness()
            let registry = try RegistryServer()
            let image = "\(registry.host)/acme/api"
            let (repo, remote) = try LifecycleCLITests.project(image: image)
            let digest = build ? try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image) : ""
            return Scenario(cli: cli, registry: registry, image: image, repo: repo, remote: remote, digest: digest)
        }

        @discardableResult
        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: repo.environment)
        }

        func digestOf(_ tag: String) throws -> String {
            try berth("registry", "digest", "\(image):\(tag)").stdout.trimmingCharacters(in: .newlines)
        }

        /// 0.1.0 released, gated clean, promoted to `environments`.
        func releasedAndPromoted(to environments: [String]) throws {
            try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: repo.environment)
            for environment in environments {
                let promoted = try berth("promote", "0.1.0", "--to", environment)
                try #require(promoted.status == 0, "\(environment): \(promoted.stderr)")
            }
        }
    }

    @Test("release needs a build, releases once, tags the digest and pushes the git tag; an ungated release can't be promoted")
    func release() async throws {
        let scenario = try await Scenario.start(build: false)
        defer { scenario.registry.stop() }
        let unbuilt = try scenario.berth("release")
        #expect(unbuilt.status == 1 && unbuilt.stderr.contains("run berth build first"))
        let digest = try await Self.pushBuild(scenario.cli, repo: scenario.repo, image: scenario.image)

        let release = try scenario.berth("release", "--json")
        try #require(release.status == 0, "\(release.stderr)")
        #expect(try scenario.digestOf("v0.1.0") == digest && scenario.digestOf("latest") == digest)
        let remoteTags = try Shell.run(
            "/usr/bin/git", ["-C", scenario.remote, "tag", "--list"], environment: scenario.repo.environment)
        #expect(remoteTags.stdout == "v0.1.0\n")
        let again = try scenario.berth("release")
        #expect(again.status == 3 && again.stderr.contains("already released (event 2"))
        #expect(try scenario.berth("promote", "0.1.0", "--to", "dev").status == 4, "not gated yet: blocked")
    }

    @Test(
        "gate blocks, asks for approval, passes; promotions retag the same digest in order; status and history tell it"
    )
    func gateAndPromote() async throws {
        let scenario = try await Scenario.start()
        defer { scenario.registry.stop() }
        let (image, digest, reports) = (scenario.image, scenario.digest, scenario.reports)
        func berth(_ arguments: String...) throws -> ShellResult {
            try scenario.cli.run(arguments, in: scenario.repo.path, environment: scenario.repo.environment)
        }
        try #require(try berth("release").status == 0)

        let truncated = try berth("gate", "--report", "\(Self.ownReports)/trivy-truncated.json", "--image", "\(image):v0.1.0")
        #expect(truncated.status == 65)
        let otherImage = try berth("gate", "--report", "\(Self.ownReports)/trivy-critical.json", "--image", "\(image):v0.1.0")
        #expect(otherImage.status == 65 && otherImage.stderr.contains("not image"))
        let critical = try berth(
            "gate", "--json", "--report", try Self.report("trivy-critical.json", about: digest, in: reports), "--image",
            "\(image):v0.1.0")
        #expect(critical.status == 4)
        #expect((try Self.json(critical) as? [String: Any])?["outcome"] as? String == "block")
        #expect(try berth("promote", "0.1.0", "--to", "dev").status == 4)

        let high = try berth(
            "gate", "--report", try Self.report("grype-high-1.json", about: digest, in: reports), "--image", "\(image):v0.1.0")
        #expect(high.status == 5, "\(high.stdout)\(high.stderr)")
        #expect(try berth("promote", "0.1.0", "--to", "dev").status == 5)
        let approve = try berth("approve", "0.1.0", "--env", "dev", "--reason", "the High is in a test-only dependency")
        #expect(approve.status == 0, "\(approve.stderr)")
        let toDev = try berth("promote", "0.1.0", "--to", "dev")
        #expect(toDev.status == 0, "\(toDev.stderr)")
        #expect(try scenario.digestOf("v0.1.0-dev") == digest)

        // Order: prod before staging is refused; staging needs its own approval (approvals are per environment).
        let skip = try berth("promote", "0.1.0", "--to", "prod")
        #expect(skip.status == 4 && skip.stderr.contains("never in staging"))
        #expect(try berth("promote", "0.1.0", "--to", "staging").status == 5)
        #expect(try berth("approve", "0.1.0", "--env", "staging", "--reason", "same as dev").status == 0)
        #expect(try berth("promote", "0.1.0", "--to", "staging").status == 0)

        // A fresh scan with only a medium finding: a warning, cleared for prod without an approval.
        #expect(
            try berth(
                "gate", "--report", try Self.report("trivy-medium.json", about: digest, in: reports), "--image", "\(image):v0.1.0"
            ).status == 0)
        let dryRun = try berth("promote", "0.1.0", "--to", "prod", "--dry-run")
        #expect(dryRun.status == 0 && dryRun.stdout.contains("keep   v0.1.0") && dryRun.stdout.contains("keep   latest"))
        let toProd = try berth("promote", "0.1.0", "--to", "prod", "--json")
        #expect(toProd.status == 0, "\(toProd.stderr)")
        #expect((try Self.json(toProd) as? [String: Any])?["tags"] as? [String] == ["v0.1.0", "latest"])

        let status = try Self.json(try berth("status", "--json")) as? [[String: Any]]
        #expect(status?.map { $0["environment"] as? String } == ["dev", "staging", "prod"])
        #expect(Set(status?.compactMap { $0["digest"] as? String } ?? []) == [digest])
        let history = try Self.json(try berth("history", "--json")) as? [[String: Any]]
        #expect(
            history?.map { $0["kind"] as? String ?? "" }.reversed() == [
                "tagged", "released", "gate-evaluated", "gate-evaluated", "approved", "promoted", "approved", "promoted",
                "gate-evaluated",
                "promoted",
            ])
    }

    @Test("a second release goes to prod with its kustomization; rollback returns to 0.1.0, commits, marks 0.2.0 bad")
    func secondReleaseAndRollback() async throws {
        let scenario = try await Scenario.start()
        defer { scenario.registry.stop() }
        let (image, digest, repo) = (scenario.image, scenario.digest, scenario.repo)
        try scenario.releasedAndPromoted(to: ["dev", "staging", "prod"])
        try repo.write(
            "deploy/prod/kustomization.yaml",
            "# prod overlay\nresources:\n  - ../base\nimages:\n  - name: \(image)\n    newTag: v0.2.0\n")
        try repo.write(
            "berth.yaml",
            "image:\n  names: [\(image)]\nledger: ../ledger.sqlite\ndeploy:\n  prod:\n    kustomization: deploy/prod/kustomization.yaml\n"
                + "    health_url: http://\(scenario.registry.host)/v2/\n"
        )
        try repo.git("add", "-A")
        try repo.commit("feat: second endpoint")
        let second = try await Self.pushBuild(scenario.cli, repo: repo, image: image)
        let released = try scenario.berth("release")
        #expect(released.status == 0, "\(released.stderr)")
        #expect(
            try scenario.berth(
                "gate", "--report", try Self.report("trivy-clean.json", about: second, in: scenario.reports), "--image",
                "\(image):v0.2.0"
            ).status == 0)
        for environment in ["dev", "staging", "prod"] {
            let promoted = try scenario.berth("promote", "0.2.0", "--to", environment)
            #expect(promoted.status == 0, "\(environment): \(promoted.stderr)")
        }
        #expect(try scenario.digestOf("latest") == second)
        let diff = try scenario.berth("diff", "0.1.0", "0.2.0")
        #expect(
            diff.stdout.hasPrefix("## 0.2.0 (since 0.1.0)\n\n### Features\n\n- second endpoint ("),
            "\(diff.stdout)\(diff.stderr)")

        // Roll prod back: 0.1.0 again, latest moved back, 0.2.0 marked bad, the kustomization committed.
        let rollback = try scenario.berth("rollback", "prod", "--reason", "5xx after deploy", "--json")
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect((try Self.json(rollback) as? [String: String])?["to"] == "0.1.0")
        #expect(try scenario.digestOf("latest") == digest)
        let prodNow = (try Self.json(try scenario.berth("status", "--json")) as? [[String: Any]])?.first {
            $0["environment"] as? String == "prod"
        }
        #expect(prodNow?["version"] as? String == "0.1.0" && prodNow?["event"] as? String == "rolled-back")
        let kustomization = try String(contentsOfFile: repo.path + "/deploy/prod/kustomization.yaml", encoding: .utf8)
        #expect(
            kustomization
                == "# prod overlay\nresources:\n  - ../base\nimages:\n  - name: \(image)\n    digest: \(digest)\n    newTag: v0.1.0\n"
        )
        #expect(try repo.git("log", "-1", "--format=%s") == "chore(deploy): roll prod back to 0.1.0")
        let badAgain = try scenario.berth("promote", "0.2.0", "--to", "prod")
        #expect(badAgain.status == 4 && badAgain.stderr.contains("marked bad"))
        let events = try Self.json(try scenario.berth("history", "--json", "--limit", "500")) as? [[String: Any]]
        let rolledBack = events?.first { $0["kind"] as? String == "rolled-back" }
        #expect((rolledBack?["details"] as? [String: String])?["health"] == "200", "the health URL answered and was recorded")
    }

    @Test("prune: old builds no environment ran go; every release an environment ran stays")
    func prune() async throws {
        let scenario = try await Scenario.start()
        defer { scenario.registry.stop() }
        try scenario.releasedAndPromoted(to: ["dev"])
        let layout = scenario.repo.path + "/../old"
        let old = try await TestImages.push(into: try OCILayoutStore(path: layout), repository: "", tag: "old", seed: "old")
        for tag in ["v0.0.1", "v0.0.2"] {
            #expect(try scenario.berth("registry", "cp", "oci:\(layout):old", "\(scenario.image):\(tag)").status == 0)
        }
        let plan = try Self.json(try scenario.berth("prune", "--keep", "1", "--json")) as? [String: Any]
        let deleting = (plan?["delete"] as? [[String: String]])?.map { $0["tag"] ?? "" }
        #expect(deleting == ["v0.0.1", "v0.0.2"])
        #expect(try scenario.digestOf("v0.0.1") == old.digest.description)
        #expect(try scenario.berth("prune", "--keep", "1", "--yes").status == 0)
        let tags = try scenario.berth("registry", "ls", "\(scenario.image)").stdout.split(separator: "\n").map(String.init)
        #expect(!tags.contains("v0.0.1") && tags.contains("v0.1.0") && tags.contains("latest"))
    }

    @Test("the registry goes away mid-lifecycle: the promotion fails with exit 1 and nothing is recorded")
    func registryDown() async throws {
        let scenario = try await Scenario.start()
        defer { scenario.registry.stop() }
        try scenario.releasedAndPromoted(to: ["dev"])
        let before = try Self.json(try scenario.berth("history", "--json", "--limit", "500")) as? [[String: Any]]
        scenario.registry.stop()
        let down = try scenario.berth("promote", "0.1.0", "--to", "staging")
        #expect(down.status == 1 && down.stderr.contains("connection refused"), "\(down.stderr)")
        let after = try Self.json(try scenario.berth("history", "--json", "--limit", "500")) as? [[String: Any]]
        #expect(after?.count == before?.count)
    }

    @Test(
        "32 concurrent berth release runs of one version, SQLite ledger: exactly one releases, 31 exit 3, one release in the ledger, one git tag"
    )
    func releaseRace() async throws {
        try await race(ledger: nil)
    }

    @Test(
        "32 concurrent berth release runs of one version, PostgreSQL ledger: exactly one releases, 31 exit 3",
        .requires(.postgresql))
    func releaseRacePostgres() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        try await race(ledger: try server.createDatabase("race"))
        let rows = try server.psql("SELECT kind FROM events WHERE kind = 'released'", database: "race").stdout
        #expect(rows.contains("released") && rows.contains("(1 row)"), "\(rows)")
    }

    func race(ledger: String?) async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/race"
        let (repo, remote) = try Self.project(image: image)
        let digest = try await Self.pushBuild(cli, repo: repo, image: image)
        let logs = (0..<32).map { repo.path + "/../race-\($0).log" }
        let processes = (0..<32).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cli.binary)
            process.arguments = ["release"]
            process.currentDirectoryURL = URL(fileURLWithPath: repo.path)
            process.environment = repo.environment.merging([
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            ]) { $1 }.merging(ledger.map { ["BERTH_LEDGER": $0] } ?? [:]) { $1 }
            FileManager.default.createFile(atPath: logs[index], contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: logs[index])
            return process
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }
        let codes = processes.map(\.terminationStatus)
        let unexpected = codes.indices.filter { codes[$0] != 0 && codes[$0] != 3 }
            .map { "exit \(codes[$0]): " + ((try? String(contentsOfFile: logs[$0], encoding: .utf8)) ?? "") }
        #expect(unexpected.isEmpty, "\(unexpected)")
        #expect(codes.filter { $0 == 0 }.count == 1, "\(codes)")
        #expect(codes.filter { $0 == 3 }.count == 31, "\(codes)")
        let history = try cli.run(
            ["history", "--json"], in: repo.path,
            environment: repo.environment.merging(ledger.map { ["BERTH_LEDGER": $0] } ?? [:]) { $1 })
        let events = try Self.json(history) as? [[String: Any]]
        let releases = events?.filter { $0["kind"] as? String == "released" }
        #expect(releases?.count == 1 && releases?.first?["digest"] as? String == digest, "\(history.stdout)\(history.stderr)")
        // Only runs that wrote a tag record one (several may, before the first write lands); nothing else.
        #expect(
            events?.allSatisfy { ["released", "tagged"].contains($0["kind"] as? String) } == true
                && (1...32).contains(events?.filter { $0["kind"] as? String == "tagged" }.count ?? 0))
        #expect(try Shell.run("/usr/bin/git", ["-C", remote, "tag", "--list"]).stdout == "v0.1.0\n")
    }
}
