/// The kind of a failure, which decides the exit code (BerthCLI's `ExitCode` table).
public enum FailureKind: Sendable, Equatable {
    /// I/O, git, registry: exit 1.
    case failure
    /// A tag exists elsewhere, is immutable, or a race was lost: exit 3.
    case conflict
    /// A gate, a bad mark or the promotion order says no: exit 4.
    case blocked
    /// A gate needs an approval first: exit 5.
    case needsApproval
    /// Usage or configuration: exit 64.
    case usage
    /// Bad input data such as an invalid version: exit 65.
    case badInput
}

/// An error a user can act on: one line saying what failed, the input in quotes, and what to do.
/// Every refusal of the core flows through it; only the CLI's entry point prints it and maps the exit code.
public struct BerthError: Error, Sendable, Equatable, CustomStringConvertible {
    public let kind: FailureKind
    public let message: String

    public init(_ kind: FailureKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
