/// What findings of each severity do to a release (berth.yaml `gates:`). Default: any critical blocks;
/// 1–3 high need an approval, more block; medium warns; low and unknown are ignored. Secrets count like
/// vulnerabilities unless `countSecrets` is off.
public struct GatePolicy: Hashable, Sendable {
    /// The rule for one severity.
    public enum Rule: Hashable, Sendable, CustomStringConvertible {
        case ignore
        case warn
        /// Up to `limit` findings need an approval; more block.
        case approve(upTo: Int)
        case block

        public var description: String {
            switch self {
            case .ignore: "ignore"
            case .warn: "warn"
            case .approve(let limit): limit == .max ? "approve" : "approve up to \(limit)"
            case .block: "block"
            }
        }
    }

    /// A vulnerability accepted until a date, with the reason (recorded with every decision it affects).
    public struct Exception: Hashable, Sendable {
        public var id: String
        /// `YYYY-MM-DD`, inclusive; after it the finding counts again.
        public var until: String
        public var reason: String

        public init(id: String, until: String, reason: String) {
            self.id = id
            self.until = until
            self.reason = reason
        }

        /// The end of the `until` day, seconds since the epoch.
        public var expiry: Double? { RFC3339.seconds(until + "T23:59:59Z") }
    }

    public var rules: [Severity: Rule] = [
        .critical: .block, .high: .approve(upTo: 3), .medium: .warn, .low: .ignore, .unknown: .ignore,
    ]
    public var exceptions: [Exception] = []
    /// A report older than this many days blocks; nil: no limit.
    public var maxReportAgeDays: Int?
    /// Whether Trivy `Secrets` findings count, by their severity like vulnerabilities (berth.yaml
    /// `gates.count_secrets`). Excluded secrets are listed with the decision's exceptions.
    public var countSecrets = true

    public init() {}

    public func rule(for severity: Severity) -> Rule { rules[severity] ?? .ignore }

    /// The severities whose counts this policy reads (a report must have been scanned for them).
    public var neededSeverities: [Severity] { Severity.allCases.filter { rule(for: $0) != .ignore } }
}
