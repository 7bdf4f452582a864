import BerthCore
import Foundation

/// Tells long-lived responses (the `/api/v1/events` streams) that the server is shutting down, so they end
/// at once and a graceful shutdown doesn't wait out their lifetime: Hummingbird finishes the requests in
/// flight before it exits, and a stream would otherwise be one for up to `EventStreamTiming.lifetime`. The
/// browser's `EventSource` reconnects, to another replica or to this one restarted, with `Last-Event-ID`.
public final class StreamShutdown: Sendable {
    private let flag = Locked(false)

    public init() {}

    /// Whether the server is shutting down.
    public var isShuttingDown: Bool { flag.current }

    /// Ends every stream at its next poll.
    public func begin() { flag.withLock { $0 = true } }

    /// Calls `begin` on SIGTERM or SIGINT, beside swift-service-lifecycle's own handlers (a signal reaches
    /// every dispatch source watching it). Cancel the sources when the server has stopped.
    func watchSignals() -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in begin() }
            source.resume()
            return source
        }
    }
}
