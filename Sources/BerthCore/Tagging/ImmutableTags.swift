/// A fixed tag found on another image.
public struct TagConflict: Hashable, Sendable, CustomStringConvertible {
    public let tag: String
    /// The digest the tag names now.
    public let existing: String

    public var description: String { "'\(tag)' already points at \(existing)" }
}

/// The one rule for tags that already exist: a fixed tag (one naming a version or a commit, as the tag
/// planner classifies templates) on another digest is a conflict; floating tags (`latest`, `v1`) move.
/// Used by `plan --registry`, release and promotion alike.
public enum ImmutableTags {
    /// - Parameters:
    ///   - tags: the tags to write and how each moves.
    ///   - existing: tag → the digest it names now, for the tags that exist.
    public static func conflicts(_ tags: [(tag: String, mobility: TagMobility)], digest: String, existing: [String: String])
        -> [TagConflict]
    {
        tags.compactMap { tag, mobility in
            guard mobility == .fixed, let found = existing[tag], found != digest else { return nil }
            return TagConflict(tag: tag, existing: found)
        }
    }
}
