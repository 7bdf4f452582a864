import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.0 server on 127.0.0.1 and a free port that answers requests with the statuses given,
/// in order (the last one repeats), and counts the requests: a health URL for deploy tests. It runs on its
/// own thread with blocking sockets, so it needs no event loop; `stop()` closes it.
public final class StatusHTTPServer: Sendable {
    public let port: Int
    /// The statuses still to answer; the last one repeats.
    public let statuses: Locked<[Int]>
    public let requests = Locked(0)
    private let listener: Int32
    private let stopped = Locked(false)

    public convenience init(status: Int) throws { try self.init(statuses: [status]) }

    public init(statuses: [Int]) throws {
        precondition(!statuses.isEmpty, "at least one status")
        self.statuses = Locked(statuses)
        (listener, port) = try LoopbackListener.open(backlog: 16)
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    private func serve() {
        while !stopped.current {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &buffer, buffer.count)
            requests.withLock { $0 += 1 }
            let code = statuses.withLock { statuses in statuses.count > 1 ? statuses.removeFirst() : statuses[0] }
            let body = code == 204 ? "" : "ok"
            let response = "HTTP/1.0 \(code) Status\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = response.withCString { write(client, $0, strlen($0)) }
            close(client)
        }
    }

    /// Stops accepting and closes the socket.
    public func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
