import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.0 client for 127.0.0.1: one connection per request (so every request meets the
/// proxy's current configuration), bounded by a timeout: every test that asks a server on loopback.
public enum LoopbackHTTP {
    public struct Answer: Sendable {
        public let status: Int
        public let body: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func get(port: Int, path: String = "/", headers: [String: String] = [:], timeoutSeconds: Int = 5) throws
        -> Answer
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(port): \(String(cString: strerror(errno)))") }
        var request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw Failure(description: "send: \(String(cString: strerror(errno)))")
        }
        var response = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                response.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw Failure(description: "recv: \(String(cString: strerror(errno)))")
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else {
            throw Failure(description: "not an HTTP answer: \(text.prefix(80))")
        }
        return Answer(status: status, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// `count` requests; how many each body (trimmed) answered, failures as `error`, non-200 as `HTTP n`.
    public static func tally(port: Int, count: Int, headers: [String: String] = [:]) -> [String: Int] {
        var tally: [String: Int] = [:]
        for _ in 0..<count {
            let key: String
            do {
                let answer = try get(port: port, headers: headers)
                key = answer.status == 200 ? answer.body.trimmingCharacters(in: .whitespacesAndNewlines) : "HTTP \(answer.status)"
            } catch {
                key = "error"
            }
            tally[key, default: 0] += 1
        }
        return tally
    }
}
