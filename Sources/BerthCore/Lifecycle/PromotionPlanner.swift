/// What a promotion will do: the digest, the environment it leaves and enters, and per tag whether it
/// is created, already right, moved (a floating tag) or in conflict (an immutable tag elsewhere).
public struct PromotionPlan: Hashable, Sendable {
    public enum TagAction: Hashable, Sendable {
        case create
        case keep
        case move(from: String)
        case conflict(existing: String)
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

/// Why a promotion can't happen, with the exit code's kind.
public struct PromotionRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable { case blocked, needsApproval, conflict, usage }
    public let kind: Kind
    public let message: String
    public var description: String { message }
}

/// Promotion rules: environments in order (dev → staging → prod); a digest enters an environment only
/// after the previous one held it, with its gate passed or approved, never if marked bad (unless
/// forced), and by retagging that same digest — never a rebuild. Pure: the ledger's events and the
/// registry's current tags come in as values, and `current` is the digest the target runs now.
public enum PromotionPlanner {
    public static func plan(
        version: String, digest: String, to target: String, environments: [EnvironmentPolicy], tagPrefix: String,
        events: [LedgerEvent], existingTags: [String: String], now: Double, force: Bool = false, current: String? = nil
    ) throws(PromotionRefusal) -> PromotionPlan {
        guard let index = environments.firstIndex(where: { $0.name == target }) else {
            throw PromotionRefusal(
                kind: .usage,
                message:
                    "no environment '\(target)' in berth.yaml: use one of \(environments.map(\.name).joined(separator: ", "))")
        }
        let environment = environments[index]
        let previous = index > 0 ? environments[index - 1].name : nil
        if let previous {
            let held = events.contains {
                $0.digest == digest && $0.environment == previous && environmentChangingKinds.contains($0.kind)
            }
            guard held else {
                throw PromotionRefusal(
                    kind: .blocked,
                    message:
                        "\(version) (\(digest)) was never in \(previous), which comes before \(target): berth promote \(version) --to \(previous) first"
                )
            }
        }
        if let bad = events.first(where: { $0.kind == .markedBad && $0.digest == digest }), !force {
            throw PromotionRefusal(
                kind: .blocked,
                message:
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
                + tags.map { tag in
                    var patternOnly = environment
                    patternOnly.requireFinal = false
                    return TagFormatGate.problem(tag: tag, environment: patternOnly)
                }
            if let problem = problems.compactMap({ $0 }).first { throw PromotionRefusal(kind: .blocked, message: problem) }
            let changes = tags.map { tag -> PromotionPlan.TagChange in
                guard let existing = existingTags[tag] else { return .init(tag: tag, action: .create) }
                if existing == digest { return .init(tag: tag, action: .keep) }
                // A tag naming the version is immutable; floating tags (latest) move.
                return .init(tag: tag, action: tag.contains(version) ? .conflict(existing: existing) : .move(from: existing))
            }
            let conflicts = changes.compactMap { change -> String? in
                if case .conflict(let existing) = change.action { return "'\(change.tag)' already points at \(existing)" }
                return nil
            }
            if !conflicts.isEmpty {
                throw PromotionRefusal(
                    kind: .conflict,
                    message:
                        "can't promote \(version) (\(digest)) to \(target): \(conflicts.joined(separator: ", ")), and tags naming a version never move"
                )
            }
            return PromotionPlan(
                version: version, digest: digest, from: previous, to: target, tags: changes, clearance: why,
                isDone: current == digest && changes.allSatisfy { $0.action == .keep })
        case .needsApproval(let why): throw PromotionRefusal(kind: .needsApproval, message: why)
        case .blocked(let why), .notGated(let why): throw PromotionRefusal(kind: .blocked, message: why)
        }
    }

    /// The environment's tag templates for `version`.
    public static func render(_ templates: [String], version: String, prefix: String, environment: String) -> [String] {
        let core = version.split(separator: "-").first.map(String.init) ?? version
        let parts = core.split(separator: ".").map(String.init)
        return templates.map { template in
            template.replacingOccurrences(of: "{{prefix}}", with: prefix).replacingOccurrences(of: "{{version}}", with: version)
                .replacingOccurrences(of: "{{environment}}", with: environment)
                .replacingOccurrences(of: "{{major}}", with: parts.first ?? "")
                .replacingOccurrences(of: "{{minor}}", with: parts.count > 1 ? parts[1] : "")
        }
    }
}
