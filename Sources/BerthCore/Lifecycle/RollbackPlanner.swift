/// What a rollback does: the environment, the release it leaves (marked bad), the one it returns to,
/// and the environment's moving tags (latest…) that go back with it.
public struct RollbackPlan: Hashable, Sendable {
    public let environment: String
    public let fromVersion: String?
    public let fromDigest: String
    public let toVersion: String
    public let toDigest: String
    public let movingTags: [String]
    public let clearance: String
}

/// Picks the release to roll back to. Pure: the ledger's events come in as values.
public enum RollbackPlanner {
    /// - Parameters:
    ///   - history: the environment's promotions, deployments and rollbacks, newest first.
    ///   - events: every event about the candidate digests (gates, approvals, marked bad).
    ///   - target: `--to VERSION`; nil picks the newest earlier release that passed its gates and isn't bad.
    public static func plan(
        environment: EnvironmentPolicy, history: [LedgerEvent], events: [LedgerEvent], target: String?, prefix: String,
        now: Double,
        force: Bool = false
    ) throws(BerthError) -> RollbackPlan {
        guard let current = history.first, let currentDigest = current.digest else {
            throw BerthError(
                .usage, "nothing is recorded as running in \(environment.name): there is nothing to roll back")
        }
        let bad = Set(events.compactMap(BadMark.init).map(\.digest.description))
        var rejected: [String] = []
        var chosen: LedgerEvent?
        for candidate in history.dropFirst() {
            guard let digest = candidate.digest, digest != currentDigest, let version = candidate.version else { continue }
            if let target, version != target { continue }
            if bad.contains(digest) && !force {
                rejected.append("\(version) is marked bad")
                continue
            }
            switch ReleaseClearance.verdict(digest: digest, environment: environment.name, events: events, now: now) {
            case .cleared:
                chosen = candidate
            case .needsApproval(let why), .blocked(let why), .notGated(let why):
                rejected.append("\(version): \(why)")
                continue
            }
            break
        }
        guard let chosen, let toDigest = chosen.digest, let toVersion = chosen.version else {
            let scope =
                target.map { "\($0) never ran in \(environment.name) before" }
                ?? "no earlier release of \(environment.name) qualifies"
            throw BerthError(
                .blocked,
                "can't roll back \(environment.name): \(scope)\(rejected.isEmpty ? "" : " (\(rejected.joined(separator: "; ")))")"
            )
        }
        let moving = PromotionPlanner.render(environment.tags, version: toVersion, prefix: prefix, environment: environment.name)
            .filter { $0.mobility != .fixed }.map(\.tag)
        let clearance: String
        if case .cleared(let why) = ReleaseClearance.verdict(
            digest: toDigest, environment: environment.name, events: events, now: now)
        {
            clearance = why
        } else {
            clearance = "forced"
        }
        return RollbackPlan(
            environment: environment.name, fromVersion: current.version, fromDigest: currentDigest, toVersion: toVersion,
            toDigest: toDigest,
            movingTags: moving, clearance: clearance)
    }
}
