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
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ShellError(command: "socket", status: errno, stderr: "can't open a socket") }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && listen(fd, 16) == 0
            }
        }
        guard bound else {
            close(listener)
            throw ShellError(command: "bind", status: errno, stderr: "can't listen on 127.0.0.1")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
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
