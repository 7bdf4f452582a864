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

/// A network failure that never produced a response (refused, reset, timed out): retried when the
/// request is idempotent.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
