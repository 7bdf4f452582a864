import BerthCore

/// Work that runs once, started by `start()` or by the first caller of `value()`, whichever comes
/// first; every caller waits for that one run's result. `berth build` starts its tag writes either at
/// once or in signing's pause, and waits for them in both places.
final class StartedOnce<Result: Sendable>: Sendable {
    private let work: @Sendable () async throws -> Result
    private let running = Locked<Task<Result, any Error>?>(nil)

    init(_ work: @escaping @Sendable () async throws -> Result) { self.work = work }

    /// Starts the work unless it is running or done.
    @discardableResult
    func start() -> Task<Result, any Error> {
        running.withLock { running in
            if let task = running { return task }
            let task = Task { [work] in try await work() }
            running = task
            return task
        }
    }

    /// Whether the work was started.
    var isStarted: Bool { running.current != nil }

    /// The work's result, starting it first when nothing has.
    func value() async throws -> Result { try await start().value }
}
