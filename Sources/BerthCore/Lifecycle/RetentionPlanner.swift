import Foundation

/// Which tags to keep (berth.yaml `retention:`): the newest N releases per channel, tags matching
/// patterns, what environments run or ran in their last promotions, anything younger than D days.
public struct RetentionPolicy: Hashable, Sendable {
    /// Releases kept per channel (final releases; each pre-release identifier such as dev or rc).
    public var keepReleases = 5
    /// Tags always kept (regular expressions): floating tags by default.
    public var keepPatterns = [#"^latest$"#, #"^v?[0-9]+(\.[0-9]+)?$"#]
    /// Tags younger than this many days are kept; nil: no age rule.
    public var keepDays: Int?
    /// Digests of each environment's last N promotions are kept (the current one always is).
    public var keepPromotions = 3

    public init() {}
}

/// The prune plan: every tag with keep or delete and the reason.
public struct RetentionPlan: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let tag: String
        public let digest: String
        public let reason: String
    }

    public let keep: [Entry]
    public let delete: [Entry]
}

/// Computes a `RetentionPlan`. Pure: tags, their digests and ages, and the ledger's environment
/// history come in as values; deleting is `ImageStore.deleteTag`, one tag at a time, never a digest a
/// kept tag still names.
public enum RetentionPlanner {
    /// - Parameters:
    ///   - tags: tag → digest, for every tag of the repository.
    ///   - children: index digest → its platform manifests' digests (kept with the index).
    ///   - ages: tag → seconds since the epoch it was made (from the ledger), when known.
    ///   - environmentDigests: digests environments run now or ran in their last promotions.
    public static func plan(
        tags: [String: String], prefix: String, policy: RetentionPolicy, environmentDigests: Set<String>, ages: [String: Double],
        children: [String: [String]] = [:], now: Double
    ) -> RetentionPlan {
        var reasons: [String: String] = [:]
        let patterns = policy.keepPatterns.compactMap { try? NSRegularExpression(pattern: $0) }
        func matches(_ tag: String) -> Bool {
            patterns.contains { $0.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil }
        }
        // Versions by channel, newest first.
        var channels: [String: [(tag: String, version: SemanticVersion)]] = [:]
        for tag in tags.keys {
            let text = tag.hasPrefix(prefix) ? String(tag.dropFirst(prefix.count)) : tag
            guard let version = SemanticVersion(text) else { continue }
            let channel = version.prerelease.first.map { "\($0)" } ?? "release"
            channels[channel, default: []].append((tag, version))
        }
        for (channel, versions) in channels {
            for entry in versions.sorted(by: { $1.version.precedes($0.version) }).prefix(policy.keepReleases) {
                reasons[entry.tag] = "one of the newest \(policy.keepReleases) of channel \(channel)"
            }
        }
        for (tag, digest) in tags where reasons[tag] == nil {
            if matches(tag) {
                reasons[tag] = "matches a kept pattern"
            } else if environmentDigests.contains(digest) {
                reasons[tag] = "an environment runs it or ran it recently"
            } else if let days = policy.keepDays, let made = ages[tag], now - made < Double(days) * 86_400 {
                reasons[tag] = "younger than \(days) days"
            }
        }
        // A tag naming a digest that a kept tag names (an alias), or a child of a kept index, stays.
        let keptDigests = Set(tags.filter { reasons[$0.key] != nil }.map(\.value))
        let keptChildren = Set(keptDigests.flatMap { children[$0] ?? [] })
        for (tag, digest) in tags where reasons[tag] == nil && (keptDigests.contains(digest) || keptChildren.contains(digest)) {
            reasons[tag] = "same image as a kept tag"
        }
        let sorted = tags.keys.sorted()
        return RetentionPlan(
            keep: sorted.compactMap { tag in reasons[tag].map { RetentionPlan.Entry(tag: tag, digest: tags[tag]!, reason: $0) } },
            delete: sorted.filter { reasons[$0] == nil }.map {
                RetentionPlan.Entry(tag: $0, digest: tags[$0]!, reason: "not kept by any rule")
            })
    }
}
