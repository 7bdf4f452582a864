/// When a webhook hint the registry couldn't answer may be asked about again: `first` seconds after its
/// first failure, twice as long after each further one, never longer than `longest`. Without it, a hint
/// about a registry that is down (or a repository berth can't read) was asked about on every verification
/// run, one per burst of deliveries and one per reconcile, until it aged out of the deliveries a run reads.
/// One server's runs share it (the worker keeps one verifier); it lives in memory, so a restart, or another
/// replica, asks once more before backing off itself. A hint answered, or no longer pending, is forgotten.
public final class HintBackoff: Sendable {
    public let first: Double
    public let longest: Double

    struct Wait {
        var failures: Int
        var retryAt: Double
    }

    private let waits = Locked<[String: Wait]>([:])

    public init(first: Double = 30, longest: Double = 3600) {
        self.first = max(first, 0)
        self.longest = max(longest, first)
    }

    /// Whether the hint `key` is still waiting at `now`.
    public func isWaiting(_ key: String, now: Double) -> Bool {
        waits.withLock { $0[key].map { now < $0.retryAt } ?? false }
    }

    /// Notes a failure of `key` at `now`; when it may be tried again.
    @discardableResult
    public func failed(_ key: String, now: Double) -> Double {
        waits.withLock { waits in
            let failures = (waits[key]?.failures ?? 0) + 1
            let wait = min(first * Double(1 << min(failures - 1, 30)), longest)
            waits[key] = Wait(failures: failures, retryAt: now + wait)
            return now + wait
        }
    }

    /// Forgets `key`: it was answered.
    public func answered(_ key: String) {
        _ = waits.withLock { $0.removeValue(forKey: key) }
    }

    /// Forgets every hint but `keys` (those still pending).
    public func keep(only keys: Set<String>) {
        waits.withLock { waits in waits = waits.filter { keys.contains($0.key) } }
    }

    /// How many hints are waiting or have failed and not been answered since.
    public var count: Int { waits.current.count }
}
