import Foundation

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

extension Severity {
    /// `HIGH,CRITICAL` (any case, spaces allowed): the severities a scan was limited to (`--report-severity`).
    public static func list(parsing text: String) throws(BerthError) -> Set<Severity> {
        var result = Set<Severity>()
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let severity = allCases.first(where: { $0.description == word }) else {
                throw BerthError(
                    .usage, "--report-severity '\(text)': '\(word)' is not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL")
            }
            result.insert(severity)
        }
        return result
    }
}
