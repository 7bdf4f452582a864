/// One dot-separated identifier of a SemVer pre-release (SemVer 2.0.0 §9).
public enum PrereleaseIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// Digits only, compared numerically (§11.4.1).
    case numeric(DecimalNumber)
    /// Letters, digits and hyphens with at least one non-digit, compared in ASCII order (§11.4.2).
    case alphanumeric(String)

    public var description: String {
        switch self {
        case .numeric(let number): number.description
        case .alphanumeric(let text): text
        }
    }

    /// SemVer 2.0.0 §11.4: numeric identifiers have lower precedence than alphanumeric ones.
    static func precedence(_ lhs: PrereleaseIdentifier, _ rhs: PrereleaseIdentifier) -> Int {
        switch (lhs, rhs) {
        case (.numeric(let a), .numeric(let b)): a < b ? -1 : (a == b ? 0 : 1)
        case (.numeric, .alphanumeric): -1
        case (.alphanumeric, .numeric): 1
        case (.alphanumeric(let a), .alphanumeric(let b)): a < b ? -1 : (a == b ? 0 : 1)
        }
    }
}
