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
        if response.status == 404 {
            blobLocations?.forget(digest, in: repository)
            return false
        }
        guard response.status == 200 else {
            throw RegistryError.http(HTTPRequest(method: "HEAD", url: url), response, host: host)
        }
        blobLocations?.remember(digest, in: repository)
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
        blobLocations?.remember(digest, in: repository)
        return response.body
    }

    /// Uploads a blob: POST for a session, then one PUT with the bytes, or PATCH chunks and a closing PUT
    /// when `chunkSize` is set and the blob is larger. A session broken half-way (a reset, a timeout, a 5xx) is abandoned and
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
                    repository, digest: digest, chunks: BlobChunks(size: Int64(data.count), next: handOutInSlices(data)))
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
        case 201:
            blobLocations?.remember(digest, in: repository)
            return true
        case 202:
            // The source doesn't hold it (or may not be read): not a place to mount it from again.
            blobLocations?.forget(digest, in: source)
            return false
        default:
            blobLocations?.forget(digest, in: source)
            throw RegistryError.http(HTTPRequest(method: "POST", url: uploads), response, host: host)
        }
    }

    /// The repositories of this registry where `digest` was last seen (pushed, mounted, found, read), newest
    /// first: hints from the blob-location cache, for a mount the registry may still decline.
    public func knownLocations(of digest: Digest) -> [String] {
        blobLocations?.repositories(holding: digest) ?? []
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
        blobLocations?.remember(digest, in: repository)
        let verifier = StreamVerifier(
            digest: digest, source: { try await download.next() }, label: "GET \(RegistryError.redacted(url))")
        return BlobChunks(size: download.size) { try await verifier.next() }
    }

    /// The largest PATCH chunk when a blob's size is unknown and `chunkSize` is nil.
    public static let defaultChunkSize = 8 << 20

    /// Uploads from chunks, hashing as they pass. A blob of known size (with `chunkSize` nil) is one PUT whose
    /// body streams from `chunks`, its last chunk held back until the bytes hash to `digest`, so a wrong blob
    /// never reaches the registry whole (and the registry checks the digest before it commits anything).
    /// Otherwise PATCH every `chunkSize` bytes as they arrive, then the closing PUT with the digest, sent
    /// only when the bytes hashed to it; a blob that fits in one chunk is a single PUT.
    public func pushBlob(_ repository: String, digest: Digest, chunks: BlobChunks) async throws {
        if chunkSize == nil, let size = chunks.size {
            try await pushStreamed(repository, digest: digest, size: size, chunks: chunks)
        } else {
            try await pushChunked(repository, digest: digest, chunks: chunks, chunkSize: chunkSize ?? Self.defaultChunkSize)
        }
        blobLocations?.remember(digest, in: repository)
    }

    /// POST for a session, then one PUT `?digest=` streaming the bytes: two requests for any size.
    func pushStreamed(_ repository: String, digest: Digest, size: Int64, chunks: BlobChunks) async throws {
        let location = try await startUpload(repository, query: [])
        let closing = try closingURL(location, digest: digest)
        let body = VerifiedUploadBody(digest: digest, size: size, source: chunks)
        let response = try await sendUpload(
            "PUT", closing, headers: [("Content-Type", "application/octet-stream")],
            body: StreamedBody(length: size) { try await body.next() }, scopes: [ScopeSet.push(repository)],
            timeout: timeouts.idle)
        guard [201, 204].contains(response.status) else {
            throw RegistryError.http(HTTPRequest(method: "PUT", url: closing), response, host: host)
        }
    }

    /// PATCH every `chunkSize` bytes as they arrive, then the closing PUT with the digest, sent only when
    /// the bytes hashed to it.
    func pushChunked(_ repository: String, digest: Digest, chunks: BlobChunks, chunkSize: Int) async throws {
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
        _ = try await expect(
            [201, 204], "PUT", try closingURL(location, digest: digest), headers: [("Content-Type", "application/octet-stream")],
            body: pending, scopes: scopes, idempotent: false, timeout: timeouts.idle)
    }

    /// The session's Location with `digest=` added, for the PUT that commits the blob.
    func closingURL(_ location: URL, digest: Digest) throws -> URL {
        guard var components = URLComponents(url: location, resolvingAgainstBaseURL: false) else {
            throw ImageStoreError(.invalid, "the upload Location \(RegistryError.redacted(location)) is not a usable URL")
        }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        guard let closing = components.url else {
            throw ImageStoreError(.invalid, "the upload Location \(RegistryError.redacted(location)) is not a usable URL")
        }
        return closing
    }
}

/// An upload's body on its way out, hashed as it passes. The latest chunk is held back until the next one
/// arrives, and the last one until the source has ended, the bytes hash to the digest and add up to the
/// size: a source that turns out wrong fails the request with the registry still short of its
/// Content-Length, so nothing is committed. The next chunk is read (and hashed) while the one before it
/// goes out, so reading the source and sending overlap; at most three chunks are in memory.
final class VerifiedUploadBody: Sendable {
    private let digest: Digest
    private let size: Int64
    private let source: BlobChunks
    private let state: Locked<(hasher: DigestHasher, held: Data?, finished: Bool)>
    /// The read of the chunk after the one being handed out, started early.
    private let ahead = Locked<Task<Data?, any Error>?>(nil)

    init(digest: Digest, size: Int64, source: BlobChunks) {
        self.digest = digest
        self.size = size
        self.source = source
        state = Locked((DigestHasher(algorithm: digest.algorithm), nil, false))
    }

    deinit { ahead.withLock { $0?.cancel() } }

    /// The source's next chunk, hashed; reads happen one at a time, in order.
    private func read() async throws -> Data? {
        guard let chunk = try await source.nextChunk() else { return nil }
        try state.withLock { state in
            state.hasher.update(chunk)
            guard state.hasher.count <= size else {
                throw ImageStoreError(.invalid, "refusing to upload \(digest): more than its \(size) bytes arrived")
            }
        }
        return chunk
    }

    /// Called by one consumer at a time (the connection taking the body).
    func next() async throws -> Data? {
        while !state.withLock({ $0.finished }) {
            let pending = ahead.withLock { ahead in
                defer { ahead = nil }
                return ahead
            }
            guard let chunk = try await (pending ?? Task { try await self.read() }).value else { return try finish() }
            if chunk.isEmpty { continue }
            ahead.withLock { $0 = Task { try await self.read() } }
            let ready = state.withLock { state -> Data? in
                defer { state.held = chunk }
                return state.held
            }
            if let ready { return ready }
        }
        return nil
    }

    private func finish() throws -> Data? {
        try state.withLock { state in
            state.finished = true
            let actual = state.hasher.finalize()
            guard actual == digest else {
                throw ImageStoreError(.invalid, "refusing to upload: the bytes hash to \(actual), not \(digest)")
            }
            guard state.hasher.count == size else {
                throw ImageStoreError(
                    .invalid, "refusing to upload \(digest): \(state.hasher.count) bytes arrived, not its \(size)")
            }
            defer { state.held = nil }
            return state.held
        }
    }
}

/// A closure that hands `data` out in slices of `slice` bytes, then nil: a buffered blob streamed like any
/// other.
func handOutInSlices(_ data: Data, slice: Int = 1 << 20) -> @Sendable () -> Data? {
    let offset = Locked(0)
    return {
        offset.withLock { offset in
            guard offset < data.count else { return nil }
            let end = min(offset + slice, data.count)
            defer { offset = end }
            return data.subdata(in: (data.startIndex + offset)..<(data.startIndex + end))
        }
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
