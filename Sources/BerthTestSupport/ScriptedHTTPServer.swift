import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 and a free port that answers each request with what `respond` says
/// (one request per connection, then it closes), and records every request. `respond` returning nil
/// stalls: the connection stays open, unanswered, until `stop()`. For the status and envelope cases a
/// real Prometheus can't be made to give, and a scripted Harbor API for the CLI.
public final class ScriptedHTTPServer: Sendable {
    public struct Request: Sendable {
        public let method: String
        public let target: String
        /// Header names lower-cased.
        public let headers: [String: String]
        public let body: String

        /// The form's (or query string's) values, decoded.
        public var form: [String: String] {
            let text = method == "POST" ? body : String(target.split(separator: "?", maxSplits: 1).dropFirst().first ?? "")
            var values: [String: String] = [:]
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                values[parts[0]] =
                    (parts.count > 1 ? parts[1] : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            return values
        }

        public var path: String { String(target.split(separator: "?").first ?? "") }
    }

    public struct Response: Sendable {
        public let status: Int
        public let body: String
        public var headers: [String: String]

        public init(status: Int, body: String, headers: [String: String] = ["Content-Type": "application/json"]) {
            self.status = status
            self.body = body
            self.headers = headers
        }
    }

    public let port: Int
    public let requests = Locked<[Request]>([])
    private let listener: Int32
    private let stopped = Locked(false)
    private let stalled = Locked<[Int32]>([])
    private let respond: @Sendable (Request) -> Response?

    public init(_ respond: @escaping @Sendable (Request) -> Response?) throws {
        self.respond = respond
        (listener, port) = try LoopbackListener.open()
        Thread { [self] in self.serve() }.start()
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// A canned answer for every request.
    public convenience init(status: Int, body: String, headers: [String: String] = ["Content-Type": "application/json"]) throws {
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

    public func stop() {
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
