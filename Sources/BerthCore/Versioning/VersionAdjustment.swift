/// How a branch that finds pre-releases above its last final release continues: the pre-release line it
/// reaches (the default), or as a final-release channel whose next final is above those pre-releases.
public enum PrereleaseLine: String, Hashable, Sendable, CaseIterable {
    case `continue`
    case final
}

/// Why the planned version isn't the plain bump of the base: the bump wasn't above every version on HEAD's
/// history (pre-releases included), or its tag already exists under another prefix.
public struct VersionAdjustment: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// The reachable pre-release line continues (`22.2.0-next.4` → `22.2.0-next.5`).
        case continuedPrereleaseLine = "continued-prerelease-line"
        /// A final-release channel: the next final above the reachable pre-releases (`22.2.0`).
        case finalAbovePrereleases = "final-above-prereleases"
        /// A pre-release channel raised above a higher version on HEAD's history.
        case raisedAboveHighest = "raised-above-highest"
    }

    /// The rule that applied; nil when only existing tags were skipped.
    public let kind: Kind?
    /// The plain bump of the base that wasn't high enough (or was taken).
    public let bumped: SemanticVersion
    /// The highest version tag on HEAD's history, when it decided.
    public let highest: ReleaseTag?
    /// Versions passed over because a tag under another prefix already has them.
    public let skipped: [String]

    public init(kind: Kind?, bumped: SemanticVersion, highest: ReleaseTag?, skipped: [String] = []) {
        self.kind = kind
        self.bumped = bumped
        self.highest = highest
        self.skipped = skipped
    }

    /// One sentence for people.
    public var explanation: String {
        var parts: [String] = []
        if let highest, let kind {
            let why = "\(bumped) is not above '\(highest.name)' on HEAD's history"
            switch kind {
            case .continuedPrereleaseLine: parts.append("\(why): continuing its pre-release line")
            case .finalAbovePrereleases: parts.append("\(why): this branch releases finals, so the next final above it")
            case .raisedAboveHighest: parts.append("\(why): raised above it")
            }
        }
        if !skipped.isEmpty {
            parts.append("skipped \(skipped.joined(separator: ", ")): a tag already has \(skipped.count == 1 ? "it" : "them")")
        }
        return parts.joined(separator: "; ")
    }
}
