import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// `ReleaseDiffService` over an in-memory ledger, store and git history: 0.1.0 (one feature) runs in prod,
/// 0.2.0 (a fix and a breaking feature on top) in dev; staging runs nothing.
@Suite("release diff: two cells compared")
struct ReleaseDiffServiceTests {
    static let image = "registry.example/acme/api"
    static let order = ["dev", "staging", "prod"]

    struct Project {
        let ledger = InMemoryLedger()
        let stores = InMemoryStores()
        var git = InMemoryGitHistory()
        var shas: [String: String] = [:]
        var digests: [String: String] = [:]

        func service(git: (any GitHistory)?) -> ReleaseDiffService {
            ReleaseDiffService(
                queries: LedgerQueries(ledger: ledger, environmentOrder: ReleaseDiffServiceTests.order), stores: stores, git: git)
        }
    }

    static func project(gate: Bool = true) async throws -> Project {
        var project = Project()
        project.git.commit("feat: first endpoint")
        project.shas["0.1.0"] = project.git.headSHA
        project.git.commit("fix(api): nil body crashed")
        project.git.commit("feat!: drop v1 routes")
        project.git.commit("tidy up")
        project.shas["0.2.0"] = project.git.headSHA
        let store = project.stores.store(host: "registry.example")
        var id: Int64 = 0
        for (version, environment, counts) in [
            ("0.1.0", "prod", [Severity.high: 3, .critical: 1]), ("0.2.0", "dev", [.high: 1]),
        ] {
            let digest = try await TestImages.push(into: store, repository: "acme/api", tag: version, seed: version).digest
            project.digests[version] = digest.description
            id += 1
            let sha = project.shas[version]!
            _ = try await project.ledger.append(
                ReleaseRecord(
                    repository: image, version: version, digest: digest, gitSHA: sha, tags: [version], gitTag: "v\(version)",
                    pushedTo: nil, explanation: "release"
                ).event(actor: "ci", time: Double(id)))
            if gate {
                let decision = GateDecision(
                    outcome: .pass, counts: counts, reasons: [], excepted: [], image: digest,
                    report: .sha256(of: Data(version.utf8)),
                    scanner: .trivy)
                _ = try await project.ledger.append(
                    GateRecord(
                        decision: decision, repository: image, version: version, environment: nil, gitSHA: sha,
                        reportFile: "r.json"
                    ).event(actor: "ci", time: Double(id)))
            }
            _ = try await project.ledger.append(
                EnvironmentChange(
                    .promotion(from: nil, tags: [environment], clearance: "gate"), repository: image, version: version,
                    digest: digest, environment: environment, gitSHA: sha, reason: "promote", after: nil
                ).event(actor: "ci", time: Double(id)))
        }
        return project
    }

    @Test("prod → dev lists the commits dev adds by type, the labels that differ and the change in findings")
    func prodToDev() async throws {
        let project = try await Self.project()
        let diff = try await project.service(git: project.git).diff(repository: Self.image, from: "prod", to: "dev")
        #expect(diff.from.environment == "prod" && diff.from.version == "0.1.0" && diff.from.digest == project.digests["0.1.0"])
        #expect(diff.to.environment == "dev" && diff.to.version == "0.2.0" && diff.to.gitSHA == project.shas["0.2.0"])
        #expect(diff.commitsUnavailable == nil)
        #expect(diff.added?.sections.map(\.title) == ["Breaking changes", "Features", "Fixes", "Other"])
        #expect(diff.added?.sections.flatMap(\.entries).contains { $0.hasPrefix("**api**: nil body crashed") } == true)
        #expect(diff.removed?.sections == [], "dev is ahead of prod: nothing goes away")
        #expect(
            diff.labelChanges == [
                ReleaseDiff.LabelChange(key: "org.opencontainers.image.version", from: "0.1.0", to: "0.2.0")
            ])
        let bySeverity = Dictionary(uniqueKeysWithValues: diff.vulnerabilities.map { ($0.severity, $0) })
        #expect(diff.vulnerabilities.map(\.severity) == [.critical, .high, .medium, .low, .unknown])
        #expect(bySeverity[.critical]?.from == 1 && bySeverity[.critical]?.to == 0 && bySeverity[.critical]?.change == -1)
        #expect(bySeverity[.high]?.change == -2 && bySeverity[.medium]?.change == 0)
        #expect(!diff.sameDigest)
    }

    @Test(
        "environments, versions and digests name the same sides",
        arguments: [("dev", "prod"), ("0.2.0", "0.1.0"), ("dev", "0.1.0"), ("digest:0.2.0", "digest:0.1.0")])
    func names(from: String, to: String) async throws {
        let project = try await Self.project()
        func name(_ text: String) -> String {
            text.hasPrefix("digest:") ? project.digests[String(text.dropFirst(7))]! : text
        }
        let diff = try await project.service(git: project.git).diff(repository: Self.image, from: name(from), to: name(to))
        #expect(diff.from.version == "0.2.0" && diff.to.version == "0.1.0")
        #expect(diff.added?.sections == [], "\(from) is ahead of \(to)")
        // A breaking feature is listed under Breaking changes and under Features.
        let removed = diff.removed?.sections.filter { $0.title != "Breaking changes" }.flatMap(\.entries)
        #expect(removed?.count == 3, "a rollback to \(to) takes three commits away")
        #expect(diff.from.gate != nil && diff.to.gate != nil)
    }

    @Test("one cell against itself differs in nothing")
    func same() async throws {
        let project = try await Self.project()
        let diff = try await project.service(git: project.git).diff(repository: Self.image, from: "dev", to: "0.2.0")
        #expect(diff.sameDigest && diff.labelChanges.isEmpty && diff.added?.sections == [] && diff.removed?.sections == [])
        #expect(diff.vulnerabilities.allSatisfy { $0.change == 0 })
    }

    @Test("without git, or without the commit, the commits are unavailable and the rest still compares")
    func withoutGit() async throws {
        let project = try await Self.project()
        let none = try await project.service(git: nil).diff(repository: Self.image, from: "prod", to: "dev")
        #expect(none.added == nil && none.removed == nil)
        #expect(none.commitsUnavailable?.contains("no git repository") == true)
        #expect(none.labelChanges.count == 1 && none.vulnerabilities.first?.change == -1)

        var stale = InMemoryGitHistory()
        stale.commit("feat: another project")
        let missing = try await project.service(git: stale).diff(repository: Self.image, from: "prod", to: "dev")
        #expect(missing.added == nil)
        #expect(missing.commitsUnavailable?.contains("isn't in the server's git repository") == true)
    }

    @Test("an image the store doesn't hold leaves its labels out and says why; no gate leaves counts unknown")
    func unreadable() async throws {
        let project = try await Self.project(gate: false)
        let diff = try await ReleaseDiffService(
            queries: LedgerQueries(ledger: project.ledger, environmentOrder: Self.order), stores: InMemoryStores(),
            git: project.git
        ).diff(repository: Self.image, from: "prod", to: "dev")
        #expect(diff.from.labels == nil && diff.from.labelsUnavailable?.contains("couldn't be read") == true)
        #expect(diff.labelChanges.isEmpty)
        #expect(diff.vulnerabilities.allSatisfy { $0.from == nil && $0.to == nil && $0.change == nil })
        #expect(diff.added?.sections.isEmpty == false)
    }

    @Test(
        "unknown repositories, environments that run nothing and unknown versions are NotFound, naming the input",
        arguments: [
            ("registry.example/acme/other", "dev", "prod", "no service 'registry.example/acme/other'"),
            (image, "staging", "prod", "environment 'staging' of \(image) runs nothing yet"),
            (image, "dev", "9.9.9", "'9.9.9' is no environment, version or digest"),
            (image, "sha256:" + String(repeating: "0", count: 64), "dev", "is no environment, version or digest"),
            ("berth:tokens", "dev", "prod", "no service 'berth:tokens'"),
        ])
    func notFound(repository: String, from: String, to: String, message: String) async throws {
        let project = try await Self.project()
        let error = await #expect(throws: ReleaseDiffService.NotFound.self) {
            try await project.service(git: project.git).diff(repository: repository, from: from, to: to)
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}
