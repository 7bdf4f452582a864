/// How long one run's read-modify-writes of shared tags (a `sha256-<hex>` fallback index, cosign's
/// `.sig` and `.att` tags) stay open to a racing writer, so the final check of what the run wrote comes
/// late enough to see every write that could drop an entry, and no later.
///
/// Registries offer no compare-and-swap on a tag. A writer that read a tag before this run's write can
/// put its own copy over it afterwards, at most its own read-to-write gap after its read, so at most
/// that gap after this run's write. The check therefore waits until `pause` has passed since the run's
/// last write to such a tag, where `pause` is the longer of `minimum` and `factor` times the longest
/// read-to-write gap the run itself took: a writer reaching the same registry takes about as long, and
/// a slow registry or a loaded machine lengthens this run's gaps too, so the pause grows with them.
/// Time spent on other work after the write counts toward the pause. A run that read and wrote no
/// shared tag (a registry with the referrers API, legacy tags off) has nothing to check.
public final class RaceWindow: Sendable {
    /// The shortest pause, whatever the gaps measured.
    public let minimum: Duration
    /// The pause as a multiple of the longest read-to-write gap measured.
    public let factor: Int
    private let state = Locked(State())

    struct State {
        var longestGap: Duration = .zero
        var last: ContinuousClock.Instant?
    }

    public init(minimum: Duration, factor: Int = 4) {
        self.minimum = minimum
        self.factor = max(1, factor)
    }

    /// Records a shared tag read at `readAt` and written (or found holding every entry) now.
    public func wrote(readAt: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.longestGap = max(state.longestGap, now - readAt)
            state.last = max(state.last ?? now, now)
        }
    }

    /// Whether the run read or wrote a shared tag, so there is something to check.
    public var isOpen: Bool { state.current.last != nil }

    /// The pause after the last write: `factor` × the longest gap, at least `minimum`.
    public var pause: Duration { max(minimum, state.current.longestGap * factor) }

    /// Waits until `pause` has passed since the last write (at once when it has); nothing when nothing was written.
    public func waitOut() async throws {
        let (last, pause) = state.withLock { ($0.last, max(minimum, $0.longestGap * factor)) }
        guard let last else { return }
        let deadline = last + pause
        if deadline > ContinuousClock.now { try await Task.sleep(until: deadline, clock: .continuous) }
    }
}
