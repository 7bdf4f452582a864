/// A vulnerability severity, ordered (Trivy's upper-case and Grype's capitalised names both parse;
/// Grype's `Negligible` counts as low).
public enum Severity: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case unknown, low, medium, high, critical

    public init(reported text: String) {
        switch text.lowercased() {
        case "critical": self = .critical
        case "high": self = .high
        case "medium", "moderate": self = .medium
        case "low", "negligible": self = .low
        default: self = .unknown
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }
}
