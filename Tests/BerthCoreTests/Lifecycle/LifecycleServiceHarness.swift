import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation

/// One project in memory for the lifecycle service tests: a git history with a releasable commit,
/// image stores, a ledger, a clock and a checkpoint that can "crash" (throw) at a chosen point once.
struct LifecycleHarness: Sendable {
    static let images = ["registry.example/acme/api", "registry.example/acme/api-mirror"]
    static let environments = [
        EnvironmentPolicy(name: "dev"), EnvironmentPolicy(name: "staging"),
        EnvironmentPolicy(name: "prod", requireFinal: true),
    ]

    let git: InMemoryGitRepository
    let stores = InMemoryStores()
    let ledger = InMemoryLedger()
    let crashAt = Locked<LifecycleCheckpoint?>(nil)
    let now = Locked<Double>(1_704_880_000)

    /// The error a crash at a checkpoint throws (the CLI exits there instead).
    struct Crash: Error, Equatable { let point: LifecycleCheckpoint }

    init() {
        var history = InMemoryGitHistory()
        history.remoteURLs["origin"] = "file:///remote.git"
        history.commit("feat: first endpoint")
        git = InMemoryGitRepository(history)
    }

    var store: InMemoryImageStore { stores.store(host: "registry.example") }

    /// The dependencies as `actor` sees them; a crash point armed with `crash(at:)` fires once.
    func dependencies(actor: String = "ci") -> LifecycleDependencies {
        let crashAt = self.crashAt
        let now = self.now
        return LifecycleDependencies(
            ledger: ledger, stores: stores, time: SteppedTime(now), actor: actor,
            checkpoint: Checkpoint { point in
                try crashAt.withLock { armed in
                    guard armed == point else { return }
                    armed = nil
                    throw Crash(point: point)
                }
            })
    }

    func crash(at point: LifecycleCheckpoint?) { crashAt.withLock { $0 = point } }

    /// The plan for HEAD, as `berth plan --offline` makes it, for `images`.
    func plan(images: [String] = Self.images) throws -> ReleasePlan {
        var configuration = BerthConfiguration()
        configuration.images = images
        configuration.environments = Self.environments
        var request = PlanRequest(
            configuration: configuration, ci: CIContext.detect(environment: [:], eventPayload: nil), environment: [:],
            now: now.current)
        request.checkRemote = false
        return try PlanService(git: git).plan(request)
    }

    /// Pushes a build under the plan's `sha-` tag in every image's repository; returns its digest.
    @discardableResult
    func pushBuild(seed: String = "build") async throws -> Digest {
        let sha = try git.head().sha.prefix(7)
        var digest: Digest?
        for image in Self.images {
            let repository = try ImageReference(parsing: image).repository
            digest = try await TestImages.push(into: store, repository: repository, tag: "sha-\(sha)", seed: seed).digest
        }
        return digest!
    }

    func release() async throws -> ReleaseOutcome {
        let service = ReleaseService(dependencies(), git: git)
        return try await service.run(try await service.preview(ReleaseRequest(plan: try plan())))
    }

    /// Records a gate decision about `digest` with `outcome`, as `berth gate` would.
    @discardableResult
    func gate(_ digest: Digest, _ outcome: GateDecision.Outcome, version: String = "0.1.0", environment: String? = nil)
        async throws -> GateRecord
    {
        let decision = GateDecision(
            outcome: outcome, counts: [.high: outcome == .needsApproval ? 2 : 0], reasons: ["policy said \(outcome)"],
            excepted: [], image: digest, report: .sha256(of: Data(outcome.rawValue.utf8)), scanner: .trivy)
        let record = GateRecord(
            decision: decision, repository: Self.images[0], version: version, environment: environment, gitSHA: nil,
            reportFile: "report.json")
        return try await GateService(dependencies()).record(record)
    }

    func promotion(deployer: DeployService? = nil, deployments: [String: DeploySettings] = [:]) -> PromotionService {
        PromotionService(
            dependencies(), environments: Self.environments, tagPrefix: "v", deployments: deployments, deployer: deployer)
    }

    func promote(_ version: String, to environment: String, force: Bool = false) async throws -> PromotionOutcome {
        let service = promotion()
        return try await service.run(
            try await service.preview(
                PromotionRequest(repository: Self.images[0], version: version, environment: environment, force: force)))
    }

    func events(_ kind: LedgerEvent.Kind, repository: String = Self.images[0]) async throws -> [LedgerEvent] {
        try await ledger.events(LedgerQuery(repository: repository, kinds: [kind]))
    }

    func tag(_ tag: String, image: String = Self.images[0]) async throws -> Digest? {
        try await store.resolve(try ImageReference(parsing: image).repository, reference: tag)?.digest
    }
}

/// A clock the test moves (`now`); each reading is the current value.
struct SteppedTime: TimeSource {
    let value: Locked<Double>

    init(_ value: Locked<Double>) { self.value = value }

    func now() -> Double { value.current }
}
