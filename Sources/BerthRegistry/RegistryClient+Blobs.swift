import BerthCore
import BerthOCI
import Foundation

extension RegistryClient {
    func blobURL(_ repository: String, _ digest: Digest) throws -> URL {
        try url("/v2/\(repository.pathEncoded)/blobs/\(digest)")
    }

    public func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        let url = try blobURL(repository, digest)
        let response = try await send("HEAD", url, scopes: [ScopeSet.pull(repository)])
        if response.status == 404 { return false }
        guard response.status == 200 else {
            throw RegistryError.http(HTTPRequest(method: "HEAD", url: url), response, host: host)
        }
        return true
    }

    /// GET (following redirects to blob storage without credentials), verified against `digest`.
    public func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        let url = try blobURL(repository, digest)
        let response = try await expect([200], "GET", url, scopes: [ScopeSet.pull(repository)], timeout: timeouts.idle)
        guard digest.matches(response.body) else {
            throw ImageStoreError(
                .invalid,
                "GET \(RegistryError.redacted(url)): the blob's bytes hash to \(digest.computed(for: response.body)), not \(digest); refusing it"
            )
        }
        return response.body
    }

    /// Uploads a blob: POST for a session, then one PUT with the bytes, or PATCH chunks and a closing PUT
    /// for blobs above `chunkSize`. A session broken half-way (a reset, a timeout, a 5xx) is abandoned and
    /// the upload restarted from a new session, within the retry policy and `timeouts.total`; the
    /// registry only commits a blob on the final PUT, after checking its digest.
    public func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        guard digest.matches(data) else {
            throw ImageStoreError(.invalid, "refusing to upload: the bytes hash to \(digest.computed(for: data)), not \(digest)")
        }
        var attempt = 0
        var deadline = ContinuousClock.now + timeouts.total
        while true {
            attempt += 1
            let started = ContinuousClock.now
            do {
                try await pushBlob(
                    repository, digest: digest, chunks: BlobChunks(size: Int64(data.count), next: handOutOnce(data)))
                return
            } catch let error as ImageStoreError where error.kind == .unavailable {
                // A session that ran longer than the total was moving bytes (a stalled one is cut after
                // `timeouts.idle`), so the window starts again from its failure.
                if ContinuousClock.now - started > timeouts.total { deadline = ContinuousClock.now + timeouts.total }
                guard let delay = retryDelay(afterAttempt: attempt, retryAfter: nil, deadline: deadline) else { throw error }
                announceRetry(
                    "POST", try url("/v2/\(repository.pathEncoded)/blobs/uploads/"), attempt: attempt + 1,
                    after: "the upload of \(digest) broke off", waiting: delay)
                try await retry.sleep(delay)
            }
        }
    }

    /// Cross-repository mount; false when the registry started an upload instead (202).
    public func mountBlob(_ repository: String, digest: Digest, from source: String) async throws -> Bool {
        let uploads = try url("/v2/\(repository.pathEncoded)/blobs/uploads/")
        let response = try await send(
            "POST",
            url(
                "/v2/\(repository.pathEncoded)/blobs/uploads/",
                query: [
                    URLQueryItem(name: "mount", value: digest.description), URLQueryItem(name: "from", value: source),
                ]), scopes: [ScopeSet.push(repository), ScopeSet.pull(source)], idempotent: false)
        switch response.status {
        case 201: return true
        case 202: return false
        default:
            throw RegistryError.http(HTTPRequest(method: "POST", url: uploads), response, host: host)
        }
    }

    /// POST /blobs/uploads/ → the session URL from Location.
    func startUpload(_ repository: String, query: [URLQueryItem]) async throws -> URL {
        let start = try url("/v2/\(repository.pathEncoded)/blobs/uploads/", query: query)
        let response = try await expect([202], "POST", start, scopes: [ScopeSet.push(repository)], idempotent: false)
        guard let location = response.header("Location"), let target = URL(string: location, relativeTo: start)?.absoluteURL
        else {
            throw ImageStoreError(
                .invalid, "POST \(RegistryError.redacted(start)): 202 without a Location; the registry broke the upload protocol")
        }
        return target
    }

}

extension RegistryClient: BlobStreaming {
    /// Streams the blob's body (following redirects to blob storage), hashing as it goes; the last chunk
    /// throws when the bytes don't match `digest`.
    /// A body that breaks off (a reset, a stall, a close short of Content-Length) is resumed where it
    /// stopped with a `Range` request (restarted, skipping what arrived, where the registry ignores it).
    public func openBlob(_ repository: String, digest: Digest) async throws -> BlobChunks {
        let url = try blobURL(repository, digest)
        let download = try await ResumableDownload.open(self, url: url, scopes: [ScopeSet.pull(repository)])
        let verifier = StreamVerifier(
            digest: digest, source: { try await download.next() }, label: "GET \(RegistryError.redacted(url))")
        return BlobChunks(size: download.size) { try await verifier.next() }
    }

    /// Uploads from chunks: PATCH every `chunkSize` bytes as they arrive, then the closing PUT with the
    /// digest, sent only when the bytes hashed to it; a blob that fits in one chunk is a single PUT.
    public func pushBlob(_ repository: String, digest: Digest, chunks: BlobChunks) async throws {
        var location = try await startUpload(repository, query: [])
        let scopes = [ScopeSet.push(repository)]
        var hasher = DigestHasher(algorithm: digest.algorithm)
        var pending = Data()
        var offset = 0
        while let chunk = try await chunks.nextChunk() {
            hasher.update(chunk)
            pending.append(chunk)
            while pending.count >= chunkSize {
                let part = pending.prefix(chunkSize)
                let response = try await expect(
                    [202], "PATCH", location,
                    headers: [
                        ("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(offset + part.count - 1)"),
                    ],
                    body: part, scopes: scopes, idempotent: false, timeout: timeouts.idle)
                if let next = response.header("Location"), let url = URL(string: next, relativeTo: location)?.absoluteURL {
                    location = url
                }
                offset += part.count
                // A fresh buffer: removeFirst would keep the sent bytes in the backing storage.
                pending = Data(pending.dropFirst(part.count))
            }
        }
        let actual = hasher.finalize()
        guard actual == digest else {
            throw ImageStoreError(.invalid, "refusing to upload: the bytes hash to \(actual), not \(digest)")
        }
        guard var components = URLComponents(url: location, resolvingAgainstBaseURL: false) else {
            throw ImageStoreError(.invalid, "the upload Location \(RegistryError.redacted(location)) is not a usable URL")
        }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        guard let closing = components.url else {
            throw ImageStoreError(.invalid, "the upload Location \(RegistryError.redacted(location)) is not a usable URL")
        }
        _ = try await expect(
            [201, 204], "PUT", closing, headers: [("Content-Type", "application/octet-stream")], body: pending,
            scopes: scopes,
            idempotent: false, timeout: timeouts.idle)
    }
}

/// Passes chunks through while hashing them; at the end, a wrong digest is an error instead of the end.
final class StreamVerifier: Sendable {
    private let digest: Digest
    private let source: BodyChunks
    private let label: String
    /// The hash so far, and whether the end was reached.
    private let state: Locked<(hasher: DigestHasher, finished: Bool)>

    init(digest: Digest, source: @escaping BodyChunks, label: String) {
        self.digest = digest
        self.source = source
        self.label = label
        state = Locked((DigestHasher(algorithm: digest.algorithm), false))
    }

    /// Called by one consumer at a time (the upload loop).
    func next() async throws -> Data? {
        guard !state.withLock({ $0.finished }) else { return nil }
        if let chunk = try await source() {
            state.withLock { $0.hasher.update(chunk) }
            return chunk
        }
        let actual = state.withLock { state in
            state.finished = true
            return state.hasher.finalize()
        }
        guard actual == digest else {
            throw ImageStoreError(.invalid, "\(label): the blob's bytes hash to \(actual), not \(digest); refusing it")
        }
        return nil
    }
}
