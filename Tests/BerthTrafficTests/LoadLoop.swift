import BerthCore
import BerthTestSupport
import Foundation

/// Requests one after another on a thread of its own until stopped: the load that runs while weights
/// change. Counts answers by status, and connection failures.
final class LoadLoop: @unchecked Sendable {
    let port: Int
    private let state = Locked((statuses: [Int: Int](), errors: [String](), stop: false))
    private let done = DispatchSemaphore(value: 0)

    init(port: Int) {
        self.port = port
        let thread = Thread { [self] in
            while !self.state.withLock({ $0.stop }) {
                do {
                    let answer = try LoopbackHTTP.get(port: self.port)
                    self.state.withLock { $0.statuses[answer.status, default: 0] += 1 }
                } catch {
                    self.state.withLock { $0.errors.append("\(error)") }
                }
            }
            self.done.signal()
        }
        thread.start()
    }

    /// Stops the loop and returns what it saw.
    func stop() -> (statuses: [Int: Int], errors: [String]) {
        state.withLock { $0.stop = true }
        done.wait()
        return state.withLock { ($0.statuses, $0.errors) }
    }

    var total: Int { state.withLock { $0.statuses.values.reduce(0, +) + $0.errors.count } }
}
