import BerthCore
import Foundation

/// A blob GET whose body may break off: a reset, a stall past `timeouts.idle`, a close short of its
/// Content-Length. Each break is retried within the client's retry policy, and within `timeouts.total`
/// counted from the last byte that arrived, by a new GET with `Range: bytes=<received>-`; a registry that
/// answers 200 instead of 206 sends the whole blob again and the bytes already passed on are skipped.
/// After the last attempt the error is one line: method, redacted URL, what happened, what to do.
final class ResumableDownload: Sendable {
    let client: RegistryClient
    let url: URL
    let scopes: [String]
    /// The blob's size, from the first response's Content-Length.
    let size: Int64?
    private let started: ContinuousClock.Instant
    private let state: Locked<State>

    struct State {
        var chunks: BodyChunks
        var received: Int64 = 0
        var attempt = 1
        var lastProgress = ContinuousClock.now
    }

    private init(client: RegistryClient, url: URL, scopes: [String], size: Int64?, chunks: @escaping BodyChunks) {
        self.client = client
        self.url = url
        self.scopes = scopes
        self.size = size
        started = .now
        state = Locked(State(chunks: chunks))
    }

    /// The first GET; a status other than 200 is the registry's error.
    static func open(_ client: RegistryClient, url: URL, scopes: [String]) async throws -> ResumableDownload {
        let (response, chunks) = try await client.sendStreaming("GET", url, scopes: scopes, timeout: client.timeouts.idle)
        guard response.status == 200, let chunks else {
            throw RegistryError.http(HTTPRequest(method: "GET", url: url), response, host: client.host)
        }
        return ResumableDownload(
            client: client, url: url, scopes: scopes, size: response.header("Content-Length").flatMap(Int64.init), chunks: chunks)
    }

    /// The next chunk, nil at the end. Called by one consumer at a time.
    func next() async throws -> Data? {
        while true {
            let chunks = state.withLock { $0.chunks }
            do {
                guard let chunk = try await chunks() else {
                    if let size, state.withLock({ $0.received }) < size {
                        throw TransportError("the response ended early", kind: .truncated)
                    }
                    return nil
                }
                state.withLock { state in
                    state.received += Int64(chunk.count)
                    state.lastProgress = .now
                }
                return chunk
            } catch let error as TransportError {
                let received = state.withLock { $0.received }
                let position = " at byte \(received)" + (size.map { " of \($0)" } ?? "")
                try await resume(after: TransportError(error.message + position, kind: error.kind))
            }
        }
    }

    /// Waits, then asks for the rest; throws the final one-line error when the attempts or the time are up.
    private func resume(after error: TransportError) async throws {
        let (attempt, received, lastProgress) = state.withLock { ($0.attempt, $0.received, $0.lastProgress) }
        let deadline = lastProgress + client.timeouts.total
        guard error.isTransient, let delay = client.retryDelay(afterAttempt: attempt, retryAfter: nil, deadline: deadline)
        else {
            throw client.transportFailure("GET", url, error, attempts: attempt, since: started)
        }
        client.announceRetry("GET", url, attempt: attempt + 1, after: error.message, waiting: delay)
        try await client.retry.sleep(delay)
        state.withLock { $0.attempt += 1 }
        let range = received > 0 ? [("Range", "bytes=\(received)-")] : []
        let (response, chunks) = try await client.sendStreaming(
            "GET", url, headers: range, scopes: scopes, timeout: client.timeouts.idle, deadline: deadline)
        guard let chunks else {
            throw RegistryError.http(HTTPRequest(method: "GET", url: url), response, host: client.host)
        }
        switch response.status {
        case 206 where received > 0 && response.header("Content-Range")?.hasPrefix("bytes \(received)-") == true:
            state.withLock { $0.chunks = chunks }
        case 200:
            state.withLock { $0.chunks = Self.skipping(received, of: chunks) }
        default:
            throw RegistryError.http(HTTPRequest(method: "GET", url: url), response, host: client.host)
        }
    }

    /// `chunks` without its first `count` bytes.
    static func skipping(_ count: Int64, of chunks: @escaping BodyChunks) -> BodyChunks {
        let left = Locked(count)
        return {
            while let chunk = try await chunks() {
                let skip = left.withLock { left -> Int in
                    let skip = Int(min(left, Int64(chunk.count)))
                    left -= Int64(skip)
                    return skip
                }
                if skip < chunk.count { return Data(chunk.dropFirst(skip)) }
            }
            return nil
        }
    }
}
