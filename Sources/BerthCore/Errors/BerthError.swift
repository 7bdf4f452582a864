/// The kind of a failure, which decides the exit code (BerthCLI's `ExitCode` table).
public enum FailureKind: Sendable, Equatable {
    /// I/O, git, registry: exit 1.
    case failure
    /// A tag exists elsewhere, is immutable, or a race was lost: exit 3.
    case conflict
    /// Usage or configuration: exit 64.
    case usage
    /// Bad input data such as an invalid version: exit 65.
    case badInput
}

/// An error a user can act on: one line saying what failed, the input in quotes, and what to do.
public struct BerthError: Error, Sendable, Equatable, CustomStringConvertible {
    public let kind: FailureKind
    public let message: String

    public init(_ kind: FailureKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
