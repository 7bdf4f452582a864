import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `HTTPTransport` over AsyncHTTPClient: pooled keep-alive connections, TLS verified by default,
/// redirects left to the caller.
public final class AsyncHTTPClientTransport: HTTPTransport, Sendable {
    let client: HTTPClient
    /// The largest response body read (blobs included).
    let maximumBodySize: Int

    /// One pooled client for the whole process: it lives as long as the process, so it never needs the
    /// explicit shutdown AsyncHTTPClient demands before a client is released.
    public static let shared = AsyncHTTPClientTransport()

    private init(maximumBodySize: Int = 4 << 30) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        // A refused or failed connect fails the request at once; RegistryClient's RetryPolicy decides
        // about retrying (a few seconds of backoff), not the pool, which retried until the 60 s deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(15)
        configuration.httpVersion = .automatic
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maximumBodySize = maximumBodySize
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let (head, body) = try await execute(request, timeout: timeout)
        var response = head
        do {
            // HEAD responses carry Content-Length but no body.
            if request.method != "HEAD", let body {
                response.body = Data(try await body.body.collect(upTo: maximumBodySize).readableBytesView)
            }
        } catch {
            throw TransportError(String(describing: error))
        }
        return response
    }

    public func stream(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, BodyChunks) {
        let (head, body) = try await execute(request, timeout: timeout)
        guard let body else { return (head, { nil }) }
        let iterator = IteratorBox(body.body.makeAsyncIterator())
        return (head, { try await iterator.next() })
    }

    func execute(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, HTTPClientResponse?) {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
            if request.header("Content-Length") == nil {
                outgoing.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            }
        }
        let seconds = Int64(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0)
        do {
            let response = try await client.execute(outgoing, timeout: .seconds(seconds))
            let head = HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) })
            return (head, request.method == "HEAD" ? nil : response)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Connection refused or reset, TLS failures, deadlines: no response came back.
            throw TransportError(Self.describe(error))
        }
    }

    /// A socket error as the system words it ("connection refused"), not NIO's debug text.
    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let client = error as? HTTPClientError, client == .connectTimeout { return "no connection within the connect timeout" }
        return String(describing: error)
    }

}

/// AsyncHTTPClient's body iterator in a box, so the chunk closure can be `@Sendable`.
// Unchecked: the iterator is not Sendable and its `next()` mutates it across an `await`, so no lock
// can guard it. Sound because a body has one consumer at a time, which awaits each chunk before
// asking for the next (RegistryClient's exchange loop, then StreamVerifier's reader); the compiler
// can't see that the `@Sendable` chunk closure is never called concurrently. A checked actor would
// need `next(isolation:)`, which is macOS 15+ (berth supports macOS 14).
final class IteratorBox: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> Data? {
        do {
            guard let buffer = try await iterator.next() else { return nil }
            return Data(buffer.readableBytesView)
        } catch {
            throw TransportError(String(describing: error))
        }
    }
}
