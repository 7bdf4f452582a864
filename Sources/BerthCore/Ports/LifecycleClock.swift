/// Where time comes from for the lifecycle: the wall clock in the CLI, a fixed or stepped one in tests.
/// (Not named `Clock`: that is the standard library's protocol for durations.)
public protocol TimeSource: Sendable {
    /// Seconds since the epoch.
    func now() -> Double
}

/// A time that doesn't move (tests, `--now`).
public struct FixedTime: TimeSource {
    public let seconds: Double

    public init(_ seconds: Double) { self.seconds = seconds }

    public func now() -> Double { seconds }
}
