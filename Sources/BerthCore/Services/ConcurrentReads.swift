import Foundation

/// Two independent reads through ports, made at once.
///
/// Each git read is a process of its own: one after another, a plan waits for the sum of a dozen of
/// them; two at a time, for the longer of two chains (scripts/bench-plan.sh). The second read runs on a
/// thread of its own, not in the cooperative pool, because a read blocks in `waitpid`. Both finish
/// before this returns, and each outcome comes back as a `Result`, so the caller throws in the order
/// it would have read them one by one.
enum ConcurrentReads {
    static func run<A: Sendable, B: Sendable>(
        _ first: () throws -> A, _ second: @escaping @Sendable () throws -> B
    ) -> (Result<A, any Error>, Result<B, any Error>) {
        let other = Outcome<B>()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            other.result = Result(catching: second)
            finished.signal()
        }
        thread.start()
        let mine = Result(catching: first)
        finished.wait()
        return (mine, other.result!)
    }

    /// Written by the second thread before it signals, read after the wait: never at the same time.
    private final class Outcome<Value>: @unchecked Sendable {
        var result: Result<Value, any Error>?
    }
}
