/// What a promotion will do: the digest, the environment it leaves and enters, and per tag whether it
/// is created, already right, moved (a floating tag) or in conflict (an immutable tag elsewhere).
public struct PromotionPlan: Hashable, Sendable {
    public enum TagAction: Hashable, Sendable {
        case create
        case keep
        case move(from: String)
    }

    public struct TagChange: Hashable, Sendable {
        public let tag: String
        public let action: TagAction

        public init(tag: String, action: TagAction) {
            self.tag = tag
            self.action = action
        }
    }

    public let version: String
    public let digest: String
    public let from: String?
    public let to: String
    public let tags: [TagChange]
    /// Why it may go (gate passed, or who approved).
    public let clearance: String
    /// The environment runs this digest already and every tag is in place: a re-run, nothing to do.
    public let isDone: Bool
}

/// Promotion rules: environments in order (dev → staging → prod); a digest enters an environment only
/// after the previous one held it, with its gate passed or approved, never if marked bad (unless
/// forced), and by retagging that same digest — never a rebuild. Pure: the ledger's events and the
/// registry's current tags come in as values, and `current` is the digest the target runs now.
public enum PromotionPlanner {
    public static func plan(
        version: String, digest: String, to target: String, environments: [EnvironmentPolicy], tagPrefix: String,
        events: [LedgerEvent], existingTags: [String: String], now: Double, force: Bool = false, current: String? = nil
    ) throws(BerthError) -> PromotionPlan {
        guard let index = environments.firstIndex(where: { $0.name == target }) else {
            throw BerthError(
                .usage,
                "no environment '\(target)' in berth.yaml: use one of \(environments.map(\.name).joined(separator: ", "))")
        }
        let environment = environments[index]
        let previous = index > 0 ? environments[index - 1].name : nil
        if let previous {
            let held = events.contains {
                $0.digest == digest && $0.environment == previous && environmentChangingKinds.contains($0.kind)
            }
            guard held else {
                throw BerthError(
                    .blocked,
                    "\(version) (\(digest)) was never in \(previous), which comes before \(target): berth promote \(version) --to \(previous) first"
                )
            }
        }
        if let bad = events.first(where: { $0.kind == .markedBad && $0.digest == digest }), !force {
            throw BerthError(
                .blocked,
                "\(version) (\(digest)) was marked bad (event \(bad.id ?? 0): \(bad.reason ?? "")); pass --force to promote it anyway"
            )
        }
        switch ReleaseClearance.verdict(digest: digest, environment: target, events: events, now: now) {
        case .cleared(let why):
            let tags = render(environment.tags, version: version, prefix: tagPrefix, environment: target)
            // The naming rule: the version must suit the environment, and every tag its pattern.
            var naming = environment
            naming.pattern = nil
            let problems =
                [TagFormatGate.problem(tag: version, environment: naming)]
                + tags.map { planned in
                    var patternOnly = environment
                    patternOnly.requireFinal = false
                    return TagFormatGate.problem(tag: planned.tag, environment: patternOnly)
                }
            if let problem = problems.compactMap({ $0 }).first { throw BerthError(.blocked, problem) }
            let conflicts = ImmutableTags.conflicts(
                tags.map { ($0.tag, $0.mobility) }, digest: digest, existing: existingTags)
            if !conflicts.isEmpty {
                throw BerthError(
                    .conflict,
                    "can't promote \(version) (\(digest)) to \(target): \(conflicts.map(\.description).joined(separator: ", ")), and tags naming a version never move"
                )
            }
            let changes = tags.map { planned -> PromotionPlan.TagChange in
                guard let existing = existingTags[planned.tag] else { return .init(tag: planned.tag, action: .create) }
                return .init(tag: planned.tag, action: existing == digest ? .keep : .move(from: existing))
            }
            return PromotionPlan(
                version: version, digest: digest, from: previous, to: target, tags: changes, clearance: why,
                isDone: current == digest && changes.allSatisfy { $0.action == .keep })
        case .needsApproval(let why): throw BerthError(.needsApproval, why)
        case .blocked(let why), .notGated(let why): throw BerthError(.blocked, why)
        }
    }

    /// The environment's tag templates for `version`, each with how it moves (the tag planner's rule:
    /// a tag naming the version is fixed, `latest` and `{{environment}}` tags float).
    public static func render(_ templates: [String], version: String, prefix: String, environment: String) -> [EnvironmentTag] {
        let core = version.split(separator: "-").first.map(String.init) ?? version
        let parts = core.split(separator: ".").map(String.init)
        return templates.map { template in
            let tag = template.replacingOccurrences(of: "{{prefix}}", with: prefix)
                .replacingOccurrences(of: "{{version}}", with: version)
                .replacingOccurrences(of: "{{environment}}", with: environment)
                .replacingOccurrences(of: "{{major}}", with: parts.first ?? "")
                .replacingOccurrences(of: "{{minor}}", with: parts.count > 1 ? parts[1] : "")
            return EnvironmentTag(tag: tag, mobility: TagMobility(template: template))
        }
    }
}

/// A tag an environment puts on a promoted digest, and whether it may move.
public struct EnvironmentTag: Hashable, Sendable {
    public let tag: String
    public let mobility: TagMobility
}
