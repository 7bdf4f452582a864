import BerthCore
import BerthOCI
import Foundation

/// A client of one OCI distribution-spec registry (Docker Distribution, Harbor, GHCR, Docker Hub, zot):
/// the `ImageStore` port over HTTP.
///
/// Requests carry every manifest media type in `Accept`, content is verified against its digest,
/// authentication follows the registry's challenges, idempotent requests are retried on 429, 5xx, dropped
/// connections, timeouts and cut-short bodies within `timeouts` (a blob download resumes where it broke
/// off), and redirects that leave the registry's host lose the Authorization header.
public final class RegistryClient: BlobMounting, RepositoryCataloging, ArtifactTagging, Sendable {
    /// `host[:port]` as written in references (`docker.io` for Docker Hub).
    public let host: String
    /// `https://host` (or `http://` for loopback and `--insecure`), where `/v2/` lives.
    public let baseURL: URL
    /// Why `host` is not an address to connect to, when it isn't: every request throws it.
    let invalidHost: ImageStoreError?
    /// Plain http and credentials over it allowed for any host (`--insecure`).
    let insecure: Bool
    let transport: any HTTPTransport
    let authenticator: RegistryAuthenticator
    public let retry: RetryPolicy
    /// How long to wait: per attempt for small requests, without progress for blobs, in all.
    public let timeouts: RegistryTimeouts
    /// Told of each retry before its wait (`berth -v` prints it on stderr).
    let onRetry: (@Sendable (RetryEvent) -> Void)?
    /// nil (the default): a blob of known size goes up as one streamed PUT. A size: blobs go up in PATCH
    /// chunks of that size, for a registry or proxy that caps a request body. A blob of unknown size always
    /// goes in chunks (`defaultChunkSize` when this is nil).
    public let chunkSize: Int?
    /// Where blobs were last seen on this host, so a copy can mount instead of uploading; nil: none kept.
    public let blobLocations: BlobLocationCache?
    /// Requests sent, shared by the tasks that use this client.
    private let counter = Locked(0)
    /// Whether the host answered Harbor's system-info probe, once asked (`RegistryClient+Harbor.swift`).
    let harborProbe = Locked<Bool?>(nil)
    /// Repositories whose referrers endpoint is no route at all (a plain 404): the registry has no API (`referrers`).
    let referrersAPIAbsent = Locked<Set<String>>([])

    public var displayName: String { host }

    /// A client for `host`. Plain http is used only for loopback hosts (`RegistryHost.isLoopback`: decided on
    /// the address, never on a name's spelling), or everywhere with `insecure`. A `host` that is not a
    /// registry address (a port outside 1–65535, a bad name) makes every request throw an `.invalid` error.
    /// `onRetry` hears of every retry before its wait; `blobLocations` (for this host) is told where blobs
    /// are found and asked where to mount them from.
    public init(
        host: String, credentials: any CredentialSource = AnonymousCredentials(), transport: any HTTPTransport,
        insecure: Bool = false, retry: RetryPolicy = RetryPolicy(), timeouts: RegistryTimeouts = RegistryTimeouts(),
        chunkSize: Int? = nil, blobLocations: BlobLocationCache? = nil, onRetry: (@Sendable (RetryEvent) -> Void)? = nil
    ) {
        self.host = host
        self.insecure = insecure
        let apiHost = host == ImageReference.dockerHub ? "registry-1.docker.io" : host
        if let registry = RegistryHost(apiHost),
            let url = URL(string: "\(insecure || registry.isLoopback ? "http" : "https")://\(registry.authority)")
        {
            baseURL = url
            invalidHost = nil
        } else {
            // Never connected to: `url(_:)` and every request throw `invalidHost` first.
            baseURL = URL(fileURLWithPath: "/")
            let reason = RegistryHost.violation(in: apiHost) ?? "it can't be written in a URL"
            invalidHost = ImageStoreError(
                .invalid, "registry host '\(host)': \(reason); write HOST[:PORT], such as registry.example:5000 or [::1]:5000")
        }
        self.transport = transport
        self.retry = retry
        self.timeouts = timeouts
        self.onRetry = onRetry
        self.chunkSize = chunkSize
        self.blobLocations = blobLocations
        authenticator = RegistryAuthenticator(host: host, credentials: credentials, transport: transport, allowInsecure: insecure)
    }

    /// Requests sent to the registry (token requests excluded), for tests and benchmarks.
    public var requestCount: Int { counter.current }

    /// `/v2/<repository>/<rest>` on this registry; `path` is percent-encoded already.
    func url(_ path: String, query: [URLQueryItem] = []) throws -> URL {
        if let invalidHost { throw invalidHost }
        // Parsed, not assigned to percentEncodedPath, whose setter traps on a character a path can't have.
        guard path.hasPrefix("/"), var components = URLComponents(string: baseURL.absoluteString + path),
            components.percentEncodedPath == path
        else { throw ImageStoreError(.invalid, "can't form a URL for \(path) on \(host)") }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw ImageStoreError(.invalid, "can't form a URL for \(path) on \(host)") }
        return url
    }

    /// Whether credentials may go to `url`: https, a loopback address, or `--insecure`; never plain http
    /// to another host, whatever its name looks like.
    func mayCarryCredentials(_ url: URL) -> Bool {
        url.scheme?.lowercased() == "https" || insecure || RegistryHost.isLoopback(url.host ?? "")
    }

    /// Sends a request with authentication, redirects and retries; returns the final response whatever
    /// its status (callers decide what a 404 means).
    func send(
        _ method: String, _ url: URL, headers: [(String, String)] = [], body: Data? = nil, scopes: [String],
        idempotent: Bool? = nil, timeout: Duration? = nil
    ) async throws -> HTTPResponse {
        try await exchange(
            method, url, headers: headers, body: body, scopes: scopes, idempotent: idempotent, timeout: timeout, streaming: false
        ).0
    }

    /// `send` for downloads: a 2xx body comes back as chunks instead of one `Data`. `deadline` replaces
    /// the total timeout counted from now (a resumed download counts from its last byte).
    func sendStreaming(
        _ method: String, _ url: URL, headers: [(String, String)] = [], scopes: [String], timeout: Duration?,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> (HTTPResponse, BodyChunks?) {
        try await exchange(
            method, url, headers: headers, body: nil, scopes: scopes, idempotent: true, timeout: timeout, streaming: true,
            deadline: deadline)
    }

    private func exchange(
        _ method: String, _ url: URL, headers: [(String, String)], body: Data?, scopes: [String], idempotent: Bool?,
        timeout: Duration?, streaming: Bool, deadline: ContinuousClock.Instant? = nil
    ) async throws -> (HTTPResponse, BodyChunks?) {
        if let invalidHost { throw invalidHost }
        let scopeSet = ScopeSet(scopes)
        let canRetry = idempotent ?? ["GET", "HEAD", "PUT", "DELETE"].contains(method)
        let started = ContinuousClock.now
        let deadline = deadline ?? started + timeouts.total
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body)
        var authorization = try await authenticating { try await authenticator.authorization(for: scopeSet) }
        var answeredChallenge = false
        var redirects = 0
        var attempt = 0
        while true {
            attempt += 1
            var outgoing = request
            let sameHost = request.url.host == baseURL.host && request.url.port == baseURL.port
            if let authorization, sameHost, mayCarryCredentials(request.url) {
                outgoing.headers.append(("Authorization", authorization))
            }
            var response: HTTPResponse
            var chunks: BodyChunks?
            do {
                counter.withLock { $0 += 1 }
                let limit = attemptLimit(timeout ?? timeouts.attempt, deadline: deadline)
                if streaming {
                    (response, chunks) = try await transport.stream(outgoing, timeout: limit)
                    // Only a success is streamed on; anything else is a small document to read whole.
                    if !(200...299).contains(response.status), let rest = chunks {
                        while let chunk = try await rest() { response.body.append(chunk) }
                        chunks = nil
                    }
                } else {
                    response = try await transport.send(outgoing, timeout: limit)
                }
            } catch let error as TransportError {
                if canRetry, error.isTransient, let delay = retryDelay(afterAttempt: attempt, retryAfter: nil, deadline: deadline)
                {
                    announceRetry(request.method, request.url, attempt: attempt + 1, after: error.message, waiting: delay)
                    try await retry.sleep(delay)
                    continue
                }
                throw transportFailure(request.method, request.url, error, attempts: attempt, since: started)
            }
            if response.status == 401 && sameHost && !answeredChallenge {
                answeredChallenge = true
                let sent = authorization
                authorization = try await authenticating {
                    try await authenticator.respond(to: response, scopes: scopeSet, request: request, sent: sent)
                }
                attempt -= 1
                continue
            }
            if [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location"),
                let target = URL(string: location, relativeTo: request.url)?.absoluteURL
            {
                // A loop (or a chain no registry or blob store needs) is the server's failure, not bad input.
                guard redirects < 5 else {
                    throw ImageStoreError(
                        .unavailable,
                        "\(method) \(RegistryError.redacted(url)): more than 5 redirects, the last to "
                            + "\(RegistryError.redacted(target)); the registry or a proxy in front of it redirects in a loop: "
                            + "check their URL settings")
                }
                redirects += 1
                request.url = target
                if response.status == 303 {
                    request.method = "GET"
                    request.body = nil
                }
                attempt -= 1
                continue
            }
            if RetryPolicy.isRetryable(response.status) && canRetry,
                let delay = retryDelay(afterAttempt: attempt, retryAfter: response.header("Retry-After"), deadline: deadline)
            {
                announceRetry(request.method, request.url, attempt: attempt + 1, after: "\(response.status)", waiting: delay)
                try await retry.sleep(delay)
                continue
            }
            return (response, chunks)
        }
    }

    /// One attempt with a streamed body, never retried here: the body can't be read twice. A challenge or
    /// a retryable status (a token that expired mid-upload, a 503) is an `.unavailable` error, so the caller
    /// starts over from a new session and a new read of the source.
    func sendUpload(
        _ method: String, _ url: URL, headers: [(String, String)], body: StreamedBody, scopes: [String], timeout: Duration
    ) async throws -> HTTPResponse {
        if let invalidHost { throw invalidHost }
        let started = ContinuousClock.now
        var request = HTTPRequest(method: method, url: url, headers: headers)
        let authorization = try await authenticating { try await authenticator.authorization(for: ScopeSet(scopes)) }
        let sameHost = url.host == baseURL.host && url.port == baseURL.port
        if let authorization, sameHost, mayCarryCredentials(url) { request.headers.append(("Authorization", authorization)) }
        counter.withLock { $0 += 1 }
        let response: HTTPResponse
        do {
            response = try await transport.upload(request, body: body, timeout: timeout)
        } catch let error as TransportError {
            throw transportFailure(method, url, error, attempts: 1, since: started)
        }
        if response.status == 401 || RetryPolicy.isRetryable(response.status) {
            let failure = RegistryError.http(HTTPRequest(method: method, url: url), response, host: host)
            throw ImageStoreError(.unavailable, failure.message)
        }
        return response
    }

    /// `send`, then an error unless the status is one of `expected`.
    func expect(
        _ expected: Set<Int>, _ method: String, _ url: URL, headers: [(String, String)] = [], body: Data? = nil,
        scopes: [String], idempotent: Bool? = nil, timeout: Duration? = nil
    ) async throws -> HTTPResponse {
        let response = try await send(
            method, url, headers: headers, body: body, scopes: scopes, idempotent: idempotent, timeout: timeout)
        guard expected.contains(response.status) else {
            throw RegistryError.http(HTTPRequest(method: method, url: url), response, host: host)
        }
        return response
    }

    /// `GET /v2/`: whether the registry answers, after authentication.
    public func ping() async throws {
        _ = try await expect([200], "GET", try url("/v2/"), scopes: [])
    }

    public func sharesHost(with other: any ImageStore) -> Bool {
        (other as? RegistryClient)?.host == host
    }
}

extension String {
    /// A repository path for URLs: each component percent-encoded, slashes kept.
    var pathEncoded: String {
        split(separator: "/", omittingEmptySubsequences: false).map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
                ?? String($0)
        }.joined(separator: "/")
    }
}
