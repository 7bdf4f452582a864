import BerthCore

/// berth's exit codes, the one table (README and docs/cli.md repeat it).
public enum ExitCodes {
    public static let success: Int32 = 0
    /// I/O, git, registry.
    public static let failure: Int32 = 1
    /// A tag exists elsewhere, is immutable, or a race was lost.
    public static let conflict: Int32 = 3
    /// Blocked by a gate.
    public static let blocked: Int32 = 4
    /// Approval needed.
    public static let approvalNeeded: Int32 = 5
    /// Usage or configuration error.
    public static let usage: Int32 = 64
    /// Bad input data: an invalid version, an unreadable report.
    public static let badInput: Int32 = 65

    static func code(for kind: FailureKind) -> Int32 {
        switch kind {
        case .failure: failure
        case .conflict: conflict
        case .blocked: blocked
        case .needsApproval: approvalNeeded
        case .usage: usage
        case .badInput: badInput
        }
    }
}
