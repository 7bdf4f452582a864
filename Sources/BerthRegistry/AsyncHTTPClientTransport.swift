import AsyncHTTPClient
import BerthCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// `HTTPTransport` over AsyncHTTPClient: pooled keep-alive connections, TLS verified by default,
/// redirects left to the caller.
///
/// `timeout` is a no-progress limit, watched by `withProgressTimeout`: the response head must come
/// within it of the last request byte taken, and each body piece within it of asking for the next. A body
/// shorter than its Content-Length is an error (`.truncated`), and every failure is a `TransportError` in
/// words, never AsyncHTTPClient's or NIO's own types.
public final class AsyncHTTPClientTransport: HTTPTransport, Sendable {
    let client: HTTPClient
    /// The largest response body read whole (a streamed blob has no limit).
    let maximumBodySize: Int
    /// Why no request can be sent: `SSL_CERT_FILE` or `SSL_CERT_DIR` names nothing readable.
    let trustFailure: TransportError?

    /// One pooled client for the whole process: it lives as long as the process, so it never needs the
    /// explicit shutdown AsyncHTTPClient demands before a client is released.
    public static let shared = AsyncHTTPClientTransport()

    /// A client of its own (tests give it an environment); it must be `shutdown()` before it is released.
    init(maximumBodySize: Int = 4 << 30, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var configuration = HTTPClient.Configuration()
        switch TrustRoots.configuration(environment) {
        case .success(let tls):
            configuration.tlsConfiguration = tls
            trustFailure = nil
        case .failure(let failure):
            trustFailure = failure
        }
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        // A refused or failed connect fails the request at once; RegistryClient's RetryPolicy decides
        // about retrying (a few seconds of backoff), not the pool, which retried until the 60 s deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(15)
        // No read timeout here: AsyncHTTPClient's counts while a slow consumer holds the body back, so
        // the no-progress limits are watched per request instead (`withProgressTimeout`).
        configuration.httpVersion = .automatic
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maximumBodySize = maximumBodySize
    }

    func shutdown() async throws { try await client.shutdown() }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        try await perform(request, streamed: nil, timeout: timeout)
    }

    /// The body goes out as `body` hands it over, each chunk the connection takes counting as progress;
    /// an error `body` throws is the request's error (the connection is dropped, so a registry never
    /// receives the rest).
    public func upload(_ request: HTTPRequest, body: StreamedBody, timeout: Duration) async throws -> HTTPResponse {
        let failure = Locked<(any Error)?>(nil)
        do {
            return try await perform(request, streamed: (body, failure), timeout: timeout)
        } catch {
            if let cause = failure.current { throw cause }
            throw error
        }
    }

    func perform(
        _ request: HTTPRequest, streamed: (body: StreamedBody, failure: Locked<(any Error)?>)?, timeout: Duration
    ) async throws -> HTTPResponse {
        if let trustFailure { throw trustFailure }
        let progress = ProgressClock()
        let maximum = maximumBodySize
        return try await withProgressTimeout(timeout, progress: progress) { [self] in
            let (head, body) = try await execute(request, streamed: streamed, timeout: timeout, progress: progress)
            var response = head
            // HEAD responses carry Content-Length but no body.
            guard let body else { return response }
            do {
                for try await buffer in body.body {
                    progress.touch()
                    response.body.append(contentsOf: buffer.readableBytesView)
                    guard response.body.count <= maximum else {
                        throw TransportError("the response is larger than \(maximum) bytes", kind: .other)
                    }
                }
            } catch {
                throw Self.transportError(error, timeout: timeout, received: response.body.count, of: head.contentLength)
            }
            if let expected = head.contentLength, response.body.count < expected {
                throw Self.truncated(response.body.count, of: expected)
            }
            return response
        }
    }

    public func stream(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, BodyChunks) {
        if let trustFailure { throw trustFailure }
        let progress = ProgressClock()
        let (head, body) = try await withProgressTimeout(timeout, progress: progress) { [self] in
            try await execute(request, timeout: timeout, progress: progress)
        }
        guard let body else { return (head, { nil }) }
        let reader = BodyReader(body, expected: head.contentLength, timeout: timeout)
        return (head, { try await reader.next() })
    }

    func execute(
        _ request: HTTPRequest, streamed: (body: StreamedBody, failure: Locked<(any Error)?>)? = nil, timeout: Duration,
        progress: ProgressClock
    ) async throws -> (HTTPResponse, HTTPClientResponse?) {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let streamed {
            outgoing.body = .stream(
                StreamedRequestBody(source: streamed.body.next, progress: progress, failure: streamed.failure),
                length: .known(streamed.body.length))
            outgoing.headers.replaceOrAdd(name: "Content-Length", value: String(streamed.body.length))
        } else if let body = request.body {
            outgoing.body = .stream(ProgressBody(data: body, progress: progress), length: .known(Int64(body.count)))
            if request.header("Content-Length") == nil {
                outgoing.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            }
        }
        // Without a body the head must come within `timeout`; with one, the watchdog measures from the
        // last piece the connection took, however long the upload as a whole.
        let seconds = request.body == nil && streamed == nil ? Int64(timeout.components.seconds) + 1 : 24 * 3600
        do {
            let response = try await client.execute(outgoing, timeout: .seconds(seconds))
            progress.touch()
            let head = HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) })
            return (head, request.method == "HEAD" ? nil : response)
        } catch {
            throw Self.transportError(error, timeout: timeout)
        }
    }

    /// A failure in words: "connection refused", "the connection was reset at byte 1000 of 4096".
    /// Cancellation passes through; anything unknown is "the connection failed", never a type name.
    static func transportError(_ error: Error, timeout: Duration, received: Int? = nil, of expected: Int? = nil) -> Error {
        if error is CancellationError || error is TransportError { return error }
        let progress =
            received.map { received in expected.map { " at byte \(received) of \($0)" } ?? " at byte \(received)" } ?? ""
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return TransportError("connection refused", kind: .refused)
            case ECONNRESET, EPIPE: return TransportError("the connection was reset\(progress)", kind: .reset)
            case ETIMEDOUT: return TransportError("the connection timed out\(progress)", kind: .timedOut)
            default: return TransportError(String(cString: strerror(io.errnoCode)).lowercased() + progress, kind: .other)
            }
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return TransportError("no connection within the connect timeout", kind: .timedOut)
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return TransportError("no answer within \(RegistryTimeouts.words(timeout))", kind: .timedOut)
            case .remoteConnectionClosed:
                return TransportError(
                    "the registry closed the connection before the response was complete\(progress)", kind: .reset)
            case .cancelled: return CancellationError()
            case .tlsHandshakeTimeout: return TransportError("no TLS handshake within the connect timeout", kind: .timedOut)
            default: return TransportError("the HTTP exchange failed\(progress)", kind: .other)
            }
        }
        if let parser = error as? HTTPParserError, parser == .invalidEOFState {
            return received.flatMap { received in expected.map { truncated(received, of: $0) } }
                ?? TransportError("the response ended early", kind: .truncated)
        }
        if error is HTTPParserError { return TransportError("the registry's answer is not valid HTTP", kind: .other) }
        if let tls = tlsFailure(error) { return tls }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return TransportError("no connection within the connect timeout", kind: .timedOut)
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return TransportError("the connection closed before the response was complete\(progress)", kind: .reset)
            default: return TransportError("the connection failed\(progress)", kind: .other)
            }
        }
        return TransportError("the connection failed\(progress)", kind: .other)
    }

    /// A TLS failure in words; nil for anything else.
    static func tlsFailure(_ error: Error) -> TransportError? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return TransportError("the registry's TLS certificate is not issued for this host name", kind: .untrusted)
        }
        guard let ssl = error as? NIOSSLError else { return nil }
        switch ssl {
        case .handshakeFailed(.sslError(let stack)) where stack.contains { "\($0)".contains("CERTIFICATE_VERIFY_FAILED") }:
            return TransportError("the registry's TLS certificate is not signed by a CA this machine trusts", kind: .untrusted)
        case .handshakeFailed, .unableToValidateCertificate, .noCertificateToValidate:
            return TransportError("the TLS handshake failed", kind: .untrusted)
        default:
            return TransportError("the TLS connection failed", kind: .other)
        }
    }

    /// What to do about a registry whose TLS berth can't verify.
    static func trustHint(host: String) -> String {
        "give \(host) a certificate for its name from a CA this machine trusts, or trust a private CA with "
            + "\(TrustRoots.fileVariable)=ca.pem (or \(TrustRoots.directoryVariable)); --insecure speaks plain http, for test registries only"
    }

    static func truncated(_ received: Int, of expected: Int) -> TransportError {
        TransportError("the response ended early at byte \(received) of \(expected)", kind: .truncated)
    }
}

extension HTTPResponse {
    /// Content-Length, when the response states one.
    var contentLength: Int? { header("Content-Length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
}

/// A streamed response body: each piece must come within `timeout` of asking for it (the consumer's own
/// time doesn't count), and the end must come at Content-Length. Its errors don't say how far the body
/// got: a resumed download's body starts part-way, so `ResumableDownload` words the position.
final class BodyReader: Sendable {
    private let iterator: IteratorBox
    private let expected: Int?
    private let timeout: Duration
    private let received = Locked(0)

    init(_ response: HTTPClientResponse, expected: Int?, timeout: Duration) {
        iterator = IteratorBox(response.body.makeAsyncIterator())
        self.expected = expected
        self.timeout = timeout
    }

    /// Called by one consumer at a time.
    func next() async throws -> Data? {
        let iterator = self.iterator
        let piece: Data?
        do {
            piece = try await withProgressTimeout(timeout, progress: ProgressClock()) { try await iterator.next() }
        } catch {
            throw AsyncHTTPClientTransport.transportError(error, timeout: timeout)
        }
        guard let piece else {
            if let expected, received.current < expected { throw TransportError("the response ended early", kind: .truncated) }
            return nil
        }
        received.withLock { $0 += piece.count }
        return piece
    }
}

/// AsyncHTTPClient's body iterator in a box, so the chunk closure can be `@Sendable`.
// Unchecked: the iterator is not Sendable and its `next()` mutates it across an `await`, so no lock
// can guard it. Sound because a body has one consumer at a time, which awaits each chunk before
// asking for the next (RegistryClient's exchange loop, then StreamVerifier's reader; BodyReader runs
// each `next()` in a child task it awaits); the compiler can't see that the `@Sendable` chunk closure
// is never called concurrently. A checked actor would need `next(isolation:)`, which is macOS 15+
// (berth supports macOS 14).
final class IteratorBox: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> Data? {
        guard let buffer = try await iterator.next() else { return nil }
        return Data(buffer.readableBytesView)
    }
}
