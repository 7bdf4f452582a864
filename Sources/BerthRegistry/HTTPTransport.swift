import BerthCore
import Foundation

/// One HTTP request, buffered: registries' JSON documents are small, and blobs are read whole before
/// they are verified anyway.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(String, String)]
    public var body: Data?

    public init(method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Every value of a header (`Link` and `WWW-Authenticate` may repeat).
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
    }
}

/// Sends HTTP requests: AsyncHTTPClient in production, a scripted transport in tests. Redirects are
/// never followed here: the registry client follows them itself, so it can drop credentials when a
/// redirect leaves the registry's host.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
    /// Like `send`, but the body is handed out chunk by chunk as it arrives (`body` of the response is
    /// empty); for blob downloads.
    func stream(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, BodyChunks)
}

/// The rest of a response body, chunk by chunk; nil at the end.
public typealias BodyChunks = @Sendable () async throws -> Data?

extension HTTPTransport {
    /// A buffered transport streams its whole body as one chunk.
    public func stream(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, BodyChunks) {
        var response = try await send(request, timeout: timeout)
        let body = response.body
        response.body = Data()
        return (response, handOutOnce(body))
    }
}

/// A closure that returns `data` the first time, then nil.
func handOutOnce(_ data: Data) -> @Sendable () -> Data? {
    let value = Locked<Data?>(data)
    return {
        value.withLock { value in
            defer { value = nil }
            return value
        }
    }
}

/// A network failure: no response (refused, reset, timed out), or a body that broke off. Retried when
/// the request is idempotent; `message` is in words ("the connection was reset"), never a library's type.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the hint that follows the message.
    public enum Kind: Sendable, Equatable {
        /// Nothing listens there (or a firewall refuses).
        case refused
        /// The connection was reset or closed before the response was complete.
        case reset
        /// No answer, or no progress, within the time allowed.
        case timedOut
        /// The body ended short of its Content-Length.
        case truncated
        /// TLS failed: the certificate is not trusted or not for this host, or the trust roots can't be
        /// read. Retrying can't help.
        case untrusted
        case other
    }

    /// Whether another attempt could go differently.
    public var isTransient: Bool { kind != .untrusted }

    public let message: String
    public let kind: Kind

    public init(_ message: String, kind: Kind = .other) {
        self.message = message
        self.kind = kind
    }

    public var description: String { message }
}
