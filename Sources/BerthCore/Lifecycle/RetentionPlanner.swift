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
    ///   - children: index digest → the digests it lists: an image index's platform manifests, a referrers
    ///     fallback index's referrers (kept, or deleted, with what reaches them).
    ///   - ages: tag → seconds since the epoch it was made (from the ledger), when known.
    ///   - environmentDigests: digests environments run now or ran in their last promotions.
    public static func plan(
        tags: [String: String], prefix: String, policy: RetentionPolicy, environmentDigests: Set<String>, ages: [String: Double],
        children: [String: [String]] = [:], now: Double
    ) -> RetentionPlan {
        // Arrays indexed like the sorted tags, not dictionaries keyed by tag: hashing tag strings over
        // and over was most of the time of a 50,000-tag plan.
        let entries = tags.sorted { $0.key < $1.key }
        var reasons = [String?](repeating: nil, count: entries.count)

        // The newest N versions of each channel, kept as a small sorted list while scanning.
        var newest: [String: [(index: Int, version: SemanticVersion)]] = [:]
        for (index, entry) in entries.enumerated() {
            let text = entry.key.hasPrefix(prefix) ? entry.key.dropFirst(prefix.count) : Substring(entry.key)
            guard let first = text.utf8.first, first >= 48 && first <= 57, let version = SemanticVersion(String(text)) else {
                continue
            }
            let channel = version.prerelease.first.map { "\($0)" } ?? "release"
            var list = newest[channel, default: []]
            if list.count == policy.keepReleases, let last = list.last, !last.version.precedes(version) { continue }
            let position = list.firstIndex { $0.version.precedes(version) } ?? list.count
            list.insert((index, version), at: position)
            if list.count > policy.keepReleases { list.removeLast() }
            newest[channel] = list
        }
        for (channel, versions) in newest {
            for entry in versions { reasons[entry.index] = "one of the newest \(policy.keepReleases) of channel \(channel)" }
        }

        let matching = patternMatches(entries.map(\.key), patterns: policy.keepPatterns)
        for (index, entry) in entries.enumerated() where reasons[index] == nil {
            if matching.contains(index) {
                reasons[index] = "matches a kept pattern"
            } else if environmentDigests.contains(entry.value) {
                reasons[index] = "an environment runs it or ran it recently"
            } else if let days = policy.keepDays, let made = ages[entry.key], now - made < Double(days) * 86_400 {
                reasons[index] = "younger than \(days) days"
            }
        }
        // A tag naming a digest that a kept tag names (an alias), or a child of a kept index, stays.
        var kept = Set<String>()
        for (index, entry) in entries.enumerated() where reasons[index] != nil { kept.insert(entry.value) }
        for digest in Array(kept) { kept.formUnion(children[digest] ?? []) }
        for (index, entry) in entries.enumerated() where reasons[index] == nil && kept.contains(entry.value) {
            reasons[index] = "same image as a kept tag"
        }
        // A referrers fallback tag (`sha256-<hex>`, cosign's `sha256-<hex>.sig`/`.att`) holds what is
        // attached to its subject (SBOM, signatures): it goes only with a subject that is itself deleted.
        // What an image reaches (its platforms, its referrers and theirs) goes with it: kept with a kept one,
        // deleted with a deleted one that no kept one reaches too.
        let keptReach = reach(from: kept.union(environmentDigests), tags: tags, children: children)
        let deletedImages = reach(
            from: Set(entries.indices.filter { reasons[$0] == nil }.map { entries[$0].value }), tags: tags, children: children
        ).subtracting(keptReach)
        for (index, entry) in entries.enumerated() where reasons[index] == nil {
            guard let subject = referrerSubject(entry.key) else { continue }
            if keptReach.contains(subject) {
                reasons[index] = "attached to a kept image"
            } else if !deletedImages.contains(subject) {
                reasons[index] = "attached to an image no tag here names"
            }
        }
        var keep: [RetentionPlan.Entry] = []
        var delete: [RetentionPlan.Entry] = []
        for (index, entry) in entries.enumerated() {
            if let reason = reasons[index] {
                keep.append(RetentionPlan.Entry(tag: entry.key, digest: entry.value, reason: reason))
            } else {
                delete.append(RetentionPlan.Entry(tag: entry.key, digest: entry.value, reason: "not kept by any rule"))
            }
        }
        return RetentionPlan(keep: keep, delete: delete)
    }

    /// Every digest `start` reaches: the manifests an index lists, and what is attached to a digest through
    /// its referrers tags (`sha256-<hex>`, `.sig`, `.att`, `.sbom`: the tag's manifest and the referrers its
    /// index lists), and so on.
    static func reach(from start: Set<String>, tags: [String: String], children: [String: [String]]) -> Set<String> {
        var reached = start
        var pending = Array(start)
        func add(_ digest: String) { if reached.insert(digest).inserted { pending.append(digest) } }
        while let digest = pending.popLast() {
            for child in children[digest] ?? [] { add(child) }
            guard digest.hasPrefix("sha256:") else { continue }
            let fallback = "sha256-" + digest.dropFirst(7)
            for suffix in ["", ".sig", ".att", ".sbom"] {
                if let attached = tags[fallback + suffix] { add(attached) }
            }
        }
        return reached
    }

    /// The subject digest of a referrers fallback tag (OCI distribution-spec "referrers tag schema",
    /// and cosign's `.sig`/`.att`/`.sbom` suffixes); nil for any other tag.
    static func referrerSubject(_ tag: String) -> String? {
        guard tag.hasPrefix("sha256-") else { return nil }
        let hex = tag.dropFirst(7).prefix { $0 != "." }
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        let suffix = tag.dropFirst(7 + 64)
        guard suffix.isEmpty || ["sig", "att", "sbom"].contains(suffix.dropFirst()) && suffix.first == "." else { return nil }
        return "sha256:" + hex
    }

    /// The indexes of the tags some pattern matches. The tags are matched as the lines of one text, in
    /// one pass of one alternation (`^` and `$` at line ends): a regex call per tag cost most of a
    /// 50,000-tag plan. A match must lie within one line, so it means what it would for the tag alone.
    public static func patternMatches(_ tags: [String], patterns: [String]) -> Set<Int> {
        guard !patterns.isEmpty,
            let regex = try? NSRegularExpression(
                pattern: patterns.map { "(?:\($0))" }.joined(separator: "|"), options: [.anchorsMatchLines])
        else { return [] }
        let text = tags.joined(separator: "\n")
        var starts: [Int] = []
        starts.reserveCapacity(tags.count)
        var offset = 0
        for tag in tags {
            starts.append(offset)
            offset += tag.utf16.count + 1
        }
        var found = Set<Int>()
        regex.enumerateMatches(in: text, range: NSRange(location: 0, length: (text as NSString).length)) { match, _, _ in
            guard let range = match?.range else { return }
            // The line holding the match's start: the last start at or before it.
            var low = 0
            var high = starts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= range.location { low = middle } else { high = middle - 1 }
            }
            if range.location + range.length <= starts[low] + tags[low].utf16.count { found.insert(low) }
        }
        return found
    }
}
