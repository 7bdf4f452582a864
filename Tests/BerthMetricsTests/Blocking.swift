import Foundation

/// Runs blocking work (a build, a process start, polling with usleep) on a thread of its own, so it
/// doesn't hold one of the few cooperative threads that every async test's timeouts need: on 2 cores a
/// couple of blocked threads starve the whole pool, and a 1 s timeout then fires 10 s late.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
