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
    /// Like `send`, but the body is read from `body` while it is sent, never held whole; for blob uploads.
    /// An error `body` throws fails the request with that error, before the rest of the body goes out.
    func upload(_ request: HTTPRequest, body: StreamedBody, timeout: Duration) async throws -> HTTPResponse
}

/// A request body read chunk by chunk as the connection takes it, of a length known before it is sent.
public struct StreamedBody: Sendable {
    /// Content-Length: exactly this many bytes must come.
    public let length: Int64
    /// The next chunk; nil at the end.
    public let next: BodyChunks

    public init(length: Int64, next: @escaping BodyChunks) {
        self.length = length
        self.next = next
    }
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

    /// A buffered transport reads the whole body first (scripted transports in tests).
    public func upload(_ request: HTTPRequest, body: StreamedBody, timeout: Duration) async throws -> HTTPResponse {
        var buffered = Data()
        while let chunk = try await body.next() { buffered.append(chunk) }
        var request = request
        request.body = buffered
        return try await send(request, timeout: timeout)
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
