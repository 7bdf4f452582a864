import BerthRegistry
import Foundation

/// An `HTTPTransport` that answers from a script and records every request, for what a real Docker
/// Distribution can't show: Bearer flows, rate limits, redirects to blob storage, Harbor's 412…
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse
    private let lock = NSLock()
    private var handler: Handler
    private(set) var requests: [HTTPRequest] = []

    init(_ handler: @escaping Handler) { self.handler = handler }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let handler = lock.withLock {
            requests.append(request)
            return self.handler
        }
        return try handler(request)
    }

    var recorded: [HTTPRequest] { lock.withLock { requests } }

    /// `METHOD path?query` of each request, for readable expectations.
    var lines: [String] {
        recorded.map { request in
            let url = request.url
            return "\(request.method) \(url.host ?? "")\(url.path)\(url.query.map { "?\($0)" } ?? "")"
        }
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
    }
}

/// Retries without waiting, recording the delays asked for.
final class DelayLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Duration] = []
    func add(_ delay: Duration) { lock.withLock { list.append(delay) } }
    var delays: [Duration] { lock.withLock { list } }

    var policy: RetryPolicy {
        RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(30)) { [self] delay in add(delay) }
    }
}
