/// What separates two cells of the release board (or two versions or digests of one repository): their
/// versions and digests, the commits between their git commits by Conventional Commits type, the image
/// labels that differ, and the vulnerability counts of each digest's newest gate decision.
public struct ReleaseDiff: Hashable, Sendable {
    /// One side: what an environment runs, or a version or digest the ledger knows.
    public struct Side: Hashable, Sendable {
        /// What was asked for: an environment, a version or a digest.
        public var name: String
        /// The environment, when `name` is one.
        public var environment: String?
        public var version: String?
        public var digest: String?
        /// The commit the ledger records for it; nil when none did.
        public var gitSHA: String?
        /// The image's labels (its first platform's config); nil when they couldn't be read.
        public var labels: [String: String]?
        /// Why `labels` is nil.
        public var labelsUnavailable: String?
        /// The digest's newest gate decision; nil when it was never gated.
        public var gate: GateRecord?
    }

    /// A label whose value differs between the sides (nil: the side hasn't it).
    public struct LabelChange: Hashable, Sendable {
        public var key: String
        public var from: String?
        public var to: String?

        public init(key: String, from: String?, to: String?) {
            self.key = key
            self.from = from
            self.to = to
        }
    }

    /// The findings of one severity on each side (nil: that side has no gate decision) and the change.
    public struct VulnerabilityChange: Hashable, Sendable {
        public var severity: Severity
        public var from: Int?
        public var to: Int?
        /// `to - from`, when both are known.
        public var change: Int? { from.flatMap { from in to.map { $0 - from } } }
    }

    public var repository: String
    public var from: Side
    public var to: Side
    /// Commits in `to` and not in `from` (what moving from → to brings); nil when they couldn't be read.
    public var added: Changelog?
    /// Commits in `from` and not in `to` (what moving from → to takes away, as on a rollback).
    public var removed: Changelog?
    /// Why `added` and `removed` are nil.
    public var commitsUnavailable: String?
    /// Labels that differ, by key; empty when both sides' labels were read and agree, or when either wasn't.
    public var labelChanges: [LabelChange]
    /// Every severity, most severe first.
    public var vulnerabilities: [VulnerabilityChange]

    /// Whether both sides run the same image.
    public var sameDigest: Bool { from.digest != nil && from.digest == to.digest }
}
