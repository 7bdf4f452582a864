import BerthOCI

/// The outcome of a gate: pass, pass with warnings, an approval needed, or blocked — with the counts,
/// the reasons and the inputs it was computed from, so the ledger can record exactly why.
public struct GateDecision: Hashable, Sendable {
    public enum Outcome: String, Hashable, Sendable, Comparable {
        case pass, warn, needsApproval = "needs-approval", block

        private var rank: Int {
            switch self {
            case .pass: 0
            case .warn: 1
            case .needsApproval: 2
            case .block: 3
            }
        }

        public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rank < rhs.rank }
    }

    public let outcome: Outcome
    /// Findings per severity after exceptions.
    public let counts: [Severity: Int]
    /// One line per rule that fired, in severity order, then the other gates.
    public let reasons: [String]
    /// Findings an exception removed: `ID (until DATE: reason)`.
    public let excepted: [String]
    /// The image (manifest or index) the decision is about.
    public let image: Digest
    public let report: Digest
    public let scanner: ScanReport.Scanner

    public init(
        outcome: Outcome, counts: [Severity: Int], reasons: [String], excepted: [String], image: Digest, report: Digest,
        scanner: ScanReport.Scanner
    ) {
        self.outcome = outcome
        self.counts = counts
        self.reasons = reasons
        self.excepted = excepted
        self.image = image
        self.report = report
        self.scanner = scanner
    }
}
