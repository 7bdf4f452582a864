import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HAProxy's runtime API over its admin socket, as `socat` would speak it: one connection per command,
/// the command and a newline, then everything HAProxy says until it closes. A UNIX socket path or
/// `host:port` of a TCP stats socket; every connection bounded by `timeoutSeconds`.
public struct HAProxySocket: Sendable {
    public let address: String
    public let timeoutSeconds: Int

    public init(address: String, timeoutSeconds: Int = 5) {
        self.address = address
        self.timeoutSeconds = timeoutSeconds
    }

    /// Sends `command` and returns the answer without its trailing blank lines.
    public func ask(_ command: String) throws -> String {
        let fd = try connected()
        defer { close(fd) }
        let line = Array((command + "\n").utf8)
        var sent = 0
        while sent < line.count {
            let count = line[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(doing: "send '\(command)' to", errno)
            }
            sent += count
        }
        var answer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                answer.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw failure(doing: "read the answer to '\(command)' from", errno)
            }
        }
        var text = String(decoding: answer, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    private var isUnix: Bool { address.contains("/") }

    private func connected() throws -> Int32 {
        if isUnix {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw failure(doing: "open a socket for", errno) }
            bound(fd)
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            let path = Array(address.utf8)
            let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
            guard path.count < capacity else {
                close(fd)
                throw BerthError(
                    .usage, "haproxy admin socket path '\(address)' is longer than \(capacity - 1) bytes; use a shorter path")
            }
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
                buffer.copyBytes(from: path)
                buffer[path.count] = 0
            }
            let result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard result == 0 else {
                let code = errno
                close(fd)
                throw failure(doing: "connect to", code)
            }
            return fd
        }
        guard let colon = address.lastIndex(of: ":") else {
            throw BerthError(.usage, "haproxy admin socket '\(address)' is neither a path nor host:port")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = String(address[address.index(after: colon)...])
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, port, &hints, &list)
        guard lookup == 0, let first = list else {
            throw BerthError(
                .failure,
                "can't resolve haproxy admin socket host '\(host)': \(String(cString: gai_strerror(lookup))); fix traffic.haproxy.socket"
            )
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = errno
                continue
            }
            bound(fd)
            if connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            close(fd)
        }
        throw failure(doing: "connect to", lastError)
    }

    /// Send and receive time limits, so a stalled HAProxy can't hold berth (on Linux they bound connect too).
    private func bound(_ fd: Int32) {
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            _ = setsockopt(fd, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        var one: Int32 = 1
        if !isUnix { _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
    }

    private func failure(doing action: String, _ code: Int32) -> BerthError {
        let reason = String(cString: strerror(code))
        let what = "haproxy admin socket '\(address)'"
        switch code {
        case ENOENT:
            return BerthError(
                .failure,
                "\(what) doesn't exist (\(reason)): start haproxy with 'stats socket \(address) level admin' in its global section, or fix traffic.haproxy.socket"
            )
        case ECONNREFUSED:
            return BerthError(
                .failure,
                "nothing answers on \(what) (\(reason)): is haproxy running with 'stats socket \(address) level admin'? Or fix traffic.haproxy.socket"
            )
        case EACCES, EPERM:
            return BerthError(
                .failure,
                "berth may not use \(what) (\(reason)): run berth as a user the socket's mode and owner allow (stats socket … mode, user, group)"
            )
        case EAGAIN, EWOULDBLOCK, ETIMEDOUT, EINPROGRESS:
            return BerthError(
                .failure,
                "\(what) didn't answer within \(timeoutSeconds) s (can't \(action) it): check haproxy, or raise traffic.haproxy.timeout"
            )
        default:
            return BerthError(.failure, "can't \(action) \(what): \(reason); check haproxy and traffic.haproxy.socket")
        }
    }
}
