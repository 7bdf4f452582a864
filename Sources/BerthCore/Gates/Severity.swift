import Foundation

/// A vulnerability severity, ordered. Scanners and vendors name them differently; `init(reported:)` maps
/// each known vocabulary explicitly and refuses anything else, so a gate never guesses.
public enum Severity: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case unknown, low, medium, high, critical

    /// The words a report may use, after trimming and case-folding (`Severity.normalized`):
    /// Trivy (`UNKNOWN` … `CRITICAL`), Grype (`Negligible`, `Unknown`, capitalised names), Red Hat / CVSS
    /// (`Important`, `Moderate`) and Debian's urgencies (`unimportant`, `not yet assigned`).
    public static let reportedNames: [(name: String, severity: Severity)] = [
        ("critical", .critical),
        ("important", .high), ("high", .high),
        ("moderate", .medium), ("medium", .medium),
        ("low", .low), ("negligible", .low), ("unimportant", .low),
        ("unknown", .unknown), ("not yet assigned", .unknown),
    ]

    /// The severity a report names, matched after trimming whitespace and case-folding (`"CRITICAL "`,
    /// `"Important"`); nil for a word berth does not know, which a caller must refuse, not count as unknown.
    public init?(reported text: String) {
        let word = Self.normalized(text)
        guard let match = Self.reportedNames.first(where: { $0.name == word }) else { return nil }
        self = match.severity
    }

    /// `text` trimmed, lower-cased, inner runs of whitespace made one space.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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
