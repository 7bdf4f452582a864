import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 and a free port that answers each request with what `respond` says
/// (one request per connection, then it closes), and records every request. `respond` returning nil
/// stalls: the connection stays open, unanswered, until `stop()`. For the status and envelope cases a
/// real Prometheus can't be made to give.
final class ScriptedHTTPServer: Sendable {
    struct Request: Sendable {
        let method: String
        let target: String
        let headers: [String: String]
        let body: String

        /// The form's (or query string's) values, decoded.
        var form: [String: String] {
            let text = method == "POST" ? body : String(target.split(separator: "?", maxSplits: 1).dropFirst().first ?? "")
            var values: [String: String] = [:]
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                values[parts[0]] =
                    (parts.count > 1 ? parts[1] : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            return values
        }

        var path: String { String(target.split(separator: "?").first ?? "") }
    }

    struct Response: Sendable {
        let status: Int
        let body: String
        var headers: [String: String] = ["Content-Type": "application/json"]
    }

    let port: Int
    let requests = Locked<[Request]>([])
    private let listener: Int32
    private let stopped = Locked(false)
    private let stalled = Locked<[Int32]>([])
    private let respond: @Sendable (Request) -> Response?

    init(_ respond: @escaping @Sendable (Request) -> Response?) throws {
        self.respond = respond
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
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
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && listen(fd, 64) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in self.serve() }.start()
    }

    /// `http://127.0.0.1:PORT`.
    var url: String { "http://127.0.0.1:\(port)" }

    /// A canned answer for every request.
    convenience init(status: Int, body: String, headers: [String: String] = ["Content-Type": "application/json"]) throws {
        try self.init { _ in Response(status: status, body: body, headers: headers) }
    }

    private func serve() {
        while !stopped.current {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread { [self] in self.handle(client) }.start()
        }
    }

    private func handle(_ client: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?
        var contentLength = 0
        while true {
            if let end = headEnd, data.count >= end + contentLength { break }
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if headEnd == nil, let range = String(decoding: data, as: UTF8.self).range(of: "\r\n\r\n") {
                let head = String(decoding: data, as: UTF8.self)[..<range.lowerBound]
                headEnd = head.utf8.count + 4
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        let headText = text.components(separatedBy: "\r\n\r\n").first ?? ""
        let lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = headEnd.map { String(decoding: data[min($0, data.count)...], as: UTF8.self) } ?? ""
        let request = Request(
            method: requestLine.first ?? "", target: requestLine.count > 1 ? requestLine[1] : "", headers: headers, body: body)
        requests.withLock { $0.append(request) }
        guard let response = respond(request) else {
            stalled.withLock { $0.append(client) }
            return
        }
        var out = "HTTP/1.1 \(response.status) Scripted\r\nContent-Length: \(response.body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in response.headers { out += "\(name): \(value)\r\n" }
        out += "\r\n" + response.body
        let bytes = Array(out.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            sent += count
        }
        close(client)
    }

    func stop() {
        // Once only: a second close could close a descriptor another thread has since been given.
        guard
            stopped.withLock({ was in
                defer { was = true }; return !was
            })
        else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in stalled.withLock({ fds in
            defer { fds = [] }; return fds
        }) { close(fd) }
    }

    deinit { stop() }
}
