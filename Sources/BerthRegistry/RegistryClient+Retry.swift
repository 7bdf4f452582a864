import BerthCore
import Foundation

/// One retry, announced before its wait: what failed and what happens next.
public struct RetryEvent: Sendable, Equatable, CustomStringConvertible {
    /// The request's method, or the step being restarted (`POST` for a new upload session).
    public let method: String
    /// The request's URL, redacted (no user-info, no upload state).
    public let url: String
    /// The attempt about to start, counting from 1.
    public let attempt: Int
    public let maxAttempts: Int
    /// What failed, in words: a status (`429`) or a network failure ("the connection was reset").
    public let reason: String
    public let delay: Duration

    /// `retrying GET https://… (attempt 2/5 after 429, waiting 1.2 s)`.
    public var description: String {
        "retrying \(method) \(url) (attempt \(attempt)/\(maxAttempts) after \(reason), waiting \(RegistryTimeouts.words(delay)))"
    }
}

extension RegistryClient {
    /// The wait before attempt `attempt + 1`, or nil when there is none: the attempts are used up, or the
    /// wait would end past `deadline`.
    func retryDelay(afterAttempt attempt: Int, retryAfter: String?, deadline: ContinuousClock.Instant) -> Duration? {
        guard attempt < retry.maxAttempts else { return nil }
        let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
        guard ContinuousClock.now + delay < deadline else { return nil }
        return delay
    }

    /// One attempt's no-progress limit: `timeout`, cut to what is left before `deadline` (never below
    /// 10 ms, so an attempt that was allowed to start can be answered).
    func attemptLimit(_ timeout: Duration, deadline: ContinuousClock.Instant) -> Duration {
        max(min(timeout, deadline - .now), .milliseconds(10))
    }

    func announceRetry(_ method: String, _ url: URL, attempt: Int, after reason: String, waiting delay: Duration) {
        onRetry?(
            RetryEvent(
                method: method, url: RegistryError.redacted(url), attempt: attempt, maxAttempts: retry.maxAttempts,
                reason: reason, delay: delay))
    }

    /// The one line for a request the network defeated: method, redacted URL, what happened, what to do.
    func transportFailure(
        _ method: String, _ url: URL, _ error: TransportError, attempts: Int, since started: ContinuousClock.Instant
    ) -> ImageStoreError {
        let tries = attempts > 1 ? " (\(attempts) attempts over \(RegistryTimeouts.words(.now - started)))" : ""
        let hint: String
        switch error.kind {
        case .timedOut:
            hint =
                "check that \(host) is reachable, or allow longer with \(RegistryTimeouts.attemptVariable) (now \(RegistryTimeouts.words(timeouts.attempt))) or \(RegistryTimeouts.totalVariable) (now \(RegistryTimeouts.words(timeouts.total)))"
        case .reset, .truncated:
            hint = "check that \(host) is reachable and that no proxy or firewall on the way cuts connections, then run it again"
        case .refused, .other:
            hint = "check that \(host) is reachable"
        case .untrusted:
            return ImageStoreError(
                .untrusted, "\(method) \(RegistryError.redacted(url)): \(error.message)\(untrustedHint(error))")
        }
        return ImageStoreError(.unavailable, "\(method) \(RegistryError.redacted(url)): \(error.message); \(hint)\(tries)")
    }

    /// What to do about TLS berth can't verify; nothing more when the message already says it.
    func untrustedHint(_ error: TransportError) -> String {
        error.message.contains(TrustRoots.fileVariable) || error.message.contains(TrustRoots.directoryVariable)
            ? "" : "; \(AsyncHTTPClientTransport.trustHint(host: host))"
    }

    /// Runs an authentication step; a token request the network defeated becomes one line like any other.
    func authenticating<T: Sendable>(_ step: () async throws -> T) async throws -> T {
        do { return try await step() } catch let error as TransportError {
            if error.kind == .untrusted {
                throw ImageStoreError(.untrusted, "token request for \(host): \(error.message)\(untrustedHint(error))")
            }
            throw ImageStoreError(
                .unavailable, "token request for \(host): \(error.message); check that \(host)'s token service is reachable")
        }
    }
}
