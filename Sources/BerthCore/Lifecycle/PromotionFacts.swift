import BerthOCI

/// What a promotion is decided on, gathered from the ledger and the store: the events about the
/// digest, the environment's tags as they are now, and what the environment runs. The gather step of
/// `PromotionPlanner`, next to it so the planner alone knows which tags a promotion writes.
public struct PromotionFacts: Sendable {
    public let events: [LedgerEvent]
    /// The environment's tags that exist, and the digest each names.
    public let existingTags: [String: String]
    /// What the environment runs now.
    public let current: EnvironmentState?

    public init(events: [LedgerEvent], existingTags: [String: String], current: EnvironmentState?) {
        self.events = events
        self.existingTags = existingTags
        self.current = current
    }

    /// Reads the facts for promoting `version` (`digest`) of `repository` into `environment`.
    public static func gather(
        version: String, digest: Digest, environment: String, environments: [EnvironmentPolicy], tagPrefix: String,
        repository: String, ledger: any LedgerStore, writer: TagWriter
    ) async throws -> PromotionFacts {
        let events = try await ledger.events(LedgerQuery(repository: repository, digest: digest.description))
        let templates = environments.first { $0.name == environment }?.tags ?? []
        var existing: [String: String] = [:]
        for planned in PromotionPlanner.render(templates, version: version, prefix: tagPrefix, environment: environment) {
            if let found = try await writer.digest(of: planned.tag) { existing[planned.tag] = found.description }
        }
        let current = try await ledger.status(repository: repository).first { $0.environment == environment }
        return PromotionFacts(events: events, existingTags: existing, current: current)
    }
}
