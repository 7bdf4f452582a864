import BerthCore
import BerthOCI
import BerthServer
import BerthTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// A ledger filled through the core services on in-memory ports (release 0.1.0, gate it, promote it to
/// dev), tokens created through `TokenService`, and the server's router over them.
struct ServerFixture: Sendable {
    static let image = "registry.example/acme/api"
    static let environments = [
        EnvironmentPolicy(name: "dev"), EnvironmentPolicy(name: "staging"), EnvironmentPolicy(name: "prod"),
    ]

    let git: InMemoryGitRepository
    let stores = InMemoryStores()
    let ledger = InMemoryLedger()
    let now = Locked<Double>(1_704_880_000)
    let logs = LogCapture()

    init() {
        var history = InMemoryGitHistory()
        history.remoteURLs["origin"] = "file:///remote.git"
        history.commit("feat: first endpoint")
        git = InMemoryGitRepository(history)
    }

    func dependencies(actor: String = "ci") -> LifecycleDependencies {
        LifecycleDependencies(ledger: ledger, stores: stores, time: MovingTime(value: now), actor: actor)
    }

    /// Releases 0.1.0, records a passing gate and a newer one for prod that needs approval, promotes it to
    /// `environments` in order.
    /// Returns the digest.
    @discardableResult
    func fill(actor: String = "ci", promoteTo environments: [String] = ["dev"]) async throws -> Digest {
        let store = stores.store(host: "registry.example")
        let sha = try git.head().sha.prefix(7)
        let digest = try await TestImages.push(into: store, repository: "acme/api", tag: "sha-\(sha)", seed: "build").digest
        var configuration = BerthConfiguration()
        configuration.images = [Self.image]
        configuration.environments = Self.environments
        var request = PlanRequest(
            configuration: configuration, ci: CIContext.detect(environment: [:], eventPayload: nil), environment: [:],
            now: now.current)
        request.checkRemote = false
        let plan = try PlanService(git: git).plan(request)
        let release = ReleaseService(dependencies(actor: actor), git: git)
        _ = try await release.run(try await release.preview(ReleaseRequest(plan: plan)))
        try await gate(digest, .pass, environment: nil)
        try await gate(digest, .needsApproval, environment: "prod")
        try await promote("0.1.0", to: environments, actor: actor)
        return digest
    }

    /// A `fix:` commit released as 0.1.1 (its own build), gated clean, promoted to `environments`; its digest.
    @discardableResult
    func releaseFix(promoteTo environments: [String]) async throws -> Digest {
        _ = try git.commit(files: [], message: "fix: a bug")
        let store = stores.store(host: "registry.example")
        let sha = try git.head().sha.prefix(7)
        let digest = try await TestImages.push(into: store, repository: "acme/api", tag: "sha-\(sha)", seed: "fix").digest
        var configuration = BerthConfiguration()
        configuration.images = [Self.image]
        configuration.environments = Self.environments
        var request = PlanRequest(
            configuration: configuration, ci: CIContext.detect(environment: [:], eventPayload: nil), environment: [:],
            now: now.current)
        request.checkRemote = false
        let release = ReleaseService(dependencies(), git: git)
        _ = try await release.run(try await release.preview(ReleaseRequest(plan: try PlanService(git: git).plan(request))))
        try await gate(digest, .pass, environment: nil, version: "0.1.1")
        try await promote("0.1.1", to: environments, actor: "ci")
        return digest
    }

    func promote(_ version: String, to environments: [String], actor: String) async throws {
        let promotion = PromotionService(
            dependencies(actor: actor), environments: Self.environments, tagPrefix: "v", deployments: [:], deployer: nil)
        for environment in environments {
            _ = try await promotion.run(
                try await promotion.preview(
                    PromotionRequest(repository: Self.image, version: version, environment: environment)))
        }
    }

    func gate(_ digest: Digest, _ outcome: GateDecision.Outcome, environment: String?, version: String = "0.1.0")
        async throws
    {
        let decision = GateDecision(
            outcome: outcome, counts: [.high: outcome == .needsApproval ? 2 : 0], reasons: ["policy said \(outcome)"],
            excepted: [], image: digest, report: .sha256(of: Data(outcome.rawValue.utf8)), scanner: .trivy)
        let record = GateRecord(
            decision: decision, repository: Self.image, version: version, environment: environment, gitSHA: nil,
            reportFile: "report.json")
        try await GateService(dependencies()).record(record)
    }

    /// A token created as `berth token create` does; returns its secret.
    func token(_ role: AccessRole, name: String? = nil, environment: String? = nil, validFor: Double? = nil) async throws
        -> (AccessToken, String)
    {
        let service = TokenService(
            ledger: ledger, time: MovingTime(value: now), actor: "admin",
            randomBytes: { count in (0..<count).map { _ in UInt8.random(in: .min ... .max) } })
        return try await service.create(
            TokenRequest(role: role, name: name, environment: environment, validFor: validFor))
    }

    func revoke(_ id: String) async throws {
        _ = try await TokenService(ledger: ledger, time: MovingTime(value: now), actor: "admin", randomBytes: { _ in [] })
            .revoke(id: id)
    }

    func application(_ settings: ServerSettings = ServerSettings()) -> some ApplicationProtocol {
        let dependencies = ServerDependencies(
            lifecycle: dependencies(actor: "server"), environmentOrder: Self.environments.map(\.name), images: [],
            promotions: { PromotionService($0, environments: Self.environments, tagPrefix: "v") },
            rollbacks: { RollbackService($0, environments: Self.environments, tagPrefix: "v") })
        let logs = self.logs
        var logger = Logger(label: "berth.serve.test") { _ in logs }
        logger.logLevel = .trace
        return Application(router: BerthServer.router(dependencies, settings: settings), logger: logger)
    }
}

/// A clock the test moves.
struct MovingTime: TimeSource {
    let value: Locked<Double>
    func now() -> Double { value.current }
}

/// Every log line the server wrote, to prove no token reaches one.
final class LogCapture: LogHandler, Sendable {
    private let lines = Locked<[String]>([])
    var text: String { lines.current.joined(separator: "\n") }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let merged = (self.metadata).merging(metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(level) \(message) \(merged)") }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
}
