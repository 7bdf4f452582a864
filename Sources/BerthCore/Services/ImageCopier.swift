import BerthOCI
import Foundation

/// What a copy or retag did, reported as it happens (for progress on stderr).
public enum TransferEvent: Sendable, Equatable {
    case blobPresent(Digest)
    case blobMounted(Digest)
    case blobCopied(Digest, bytes: Int64)
    case manifestPushed(Digest, reference: String)
    /// A manifest of an index that the destination held already (not pushed again).
    case manifestPresent(Digest)
}

/// Copies images between stores and repositories: every platform of an index, blobs checked first,
/// mounted when the registry is the same or knows another repository holding them, and the destination's
/// digest verified at the end.
public struct ImageCopier: Sendable {
    public let source: any ImageStore
    public let destination: any ImageStore
    /// Blob transfers running at once.
    public var concurrency = 4
    public var onEvent: (@Sendable (TransferEvent) -> Void)?
    /// An index's manifests the destination is known to hold, when the caller asked already (every other
    /// manifest of the index is then known to be missing): not asked about again.
    public var presentChildren: Set<Digest>?

    public init(source: any ImageStore, destination: any ImageStore, onEvent: (@Sendable (TransferEvent) -> Void)? = nil) {
        self.source = source
        self.destination = destination
        self.onEvent = onEvent
    }

    /// Copies `reference` from `sourceRepository` to `destinationRepository`, tagging it with `tags`
    /// (by digest only when `tags` is empty). Tags are written last, after every blob and child
    /// manifest is in place, so nothing half-copied is ever tagged. Returns the copied document.
    @discardableResult
    public func copy(
        _ sourceRepository: String, reference: String, to destinationRepository: String, tags: [String]
    ) async throws -> ManifestDocument {
        let top = try await source.fetchManifest(sourceRepository, reference: reference)
        try await copyContent(of: top, from: sourceRepository, to: destinationRepository)
        if tags.isEmpty {
            try await push(top, to: destinationRepository, reference: top.digest.description)
        }
        for tag in tags { try await push(top, to: destinationRepository, reference: tag) }
        for check in tags.isEmpty ? [top.digest.description] : tags {
            let landed = try await destination.resolve(destinationRepository, reference: check)
            guard landed?.digest == top.digest else {
                throw ImageStoreError(
                    .conflict,
                    "\(destination.displayName)/\(destinationRepository):\(check) resolves to \(landed?.digest.description ?? "nothing") after the copy, not \(top.digest); the registry rewrote the manifest"
                )
            }
        }
        return top
    }

    /// Everything `document` needs below it: children of an index (by digest), blobs of a manifest.
    func copyContent(of document: ManifestDocument, from sourceRepository: String, to destinationRepository: String) async throws
    {
        if document.isIndex {
            for child in try document.index().manifests {
                let present: Bool
                if let presentChildren {
                    present = presentChildren.contains(child.digest)
                } else {
                    present = try await destination.resolve(destinationRepository, reference: child.digest.description) != nil
                }
                if present {
                    onEvent?(.manifestPresent(child.digest))
                    continue
                }
                let childDocument = try await source.fetchManifest(sourceRepository, reference: child.digest.description)
                try await copyContent(of: childDocument, from: sourceRepository, to: destinationRepository)
                try await push(childDocument, to: destinationRepository, reference: childDocument.digest.description)
            }
            return
        }
        let blobs = try document.manifest().blobs
        let source = self.source
        let destination = self.destination
        let onEvent = self.onEvent
        let mounting = destination as? any BlobMounting
        let sameHost = mounting?.sharesHost(with: source) == true && sourceRepository != destinationRepository
        try await forEachConcurrently(blobs, limit: concurrency) { blob in
            // Within one registry a mount is a single request whether or not the blob is already there.
            if let mounting, sameHost,
                try await mounting.mountBlob(destinationRepository, digest: blob.digest, from: sourceRepository)
            {
                onEvent?(.blobMounted(blob.digest))
                return
            }
            if let mounting,
                await Self.mountFromKnownLocation(
                    blob.digest, into: destinationRepository, of: mounting, tried: sameHost ? sourceRepository : nil)
            {
                onEvent?(.blobMounted(blob.digest))
                return
            }
            if try await destination.blobExists(destinationRepository, digest: blob.digest) {
                onEvent?(.blobPresent(blob.digest))
                return
            }
            if let reader = source as? any BlobStreaming, let writer = destination as? any BlobStreaming {
                // A stream can't be replayed, so an upload that fails is retried from a new one. A read
                // that fails is not: the source has spent its own retry policy by then.
                var attempt = 0
                while true {
                    attempt += 1
                    let readFailed = Locked(false)
                    let opened = try await reader.openBlob(sourceRepository, digest: blob.digest)
                    do {
                        let chunks = BlobChunks(size: opened.size) {
                            do { return try await opened.nextChunk() } catch {
                                readFailed.withLock { $0 = true }
                                throw error
                            }
                        }
                        try await writer.pushBlob(destinationRepository, digest: blob.digest, chunks: chunks)
                        break
                    } catch let error as ImageStoreError
                        where error.kind == .unavailable && attempt < 3 && !readFailed.current
                    {
                        continue
                    }
                }
                onEvent?(.blobCopied(blob.digest, bytes: blob.size))
                return
            }
            let data = try await source.fetchBlob(sourceRepository, digest: blob.digest)
            try await destination.pushBlob(destinationRepository, digest: blob.digest, data: data)
            onEvent?(.blobCopied(blob.digest, bytes: Int64(data.count)))
        }
    }

    /// Tries a mount from each repository the destination knows to hold `digest` (at most 3, not the
    /// destination itself, not `tried`). A declined or failed mount is only a hint gone stale: the blob is
    /// uploaded instead, and the copy never fails for it.
    static func mountFromKnownLocation(
        _ digest: Digest, into repository: String, of store: any BlobMounting, tried: String?
    ) async -> Bool {
        for location in store.knownLocations(of: digest).filter({ $0 != repository && $0 != tried }).prefix(3) {
            if (try? await store.mountBlob(repository, digest: digest, from: location)) == true { return true }
        }
        return false
    }

    func push(_ document: ManifestDocument, to repository: String, reference: String) async throws {
        try await destination.pushManifest(repository, reference: reference, manifest: document)
        onEvent?(.manifestPushed(document.digest, reference: reference))
    }
}

/// Puts more tags on an image already in a store: one manifest GET, then a PUT of the identical bytes
/// per tag (never re-serialised, so the digest can't change), a bounded number at once.
public struct Retagger: Sendable {
    public let store: any ImageStore
    public var concurrency = 8

    public init(store: any ImageStore, concurrency: Int = 8) {
        self.store = store
        self.concurrency = concurrency
    }

    @discardableResult
    public func retag(_ repository: String, reference: String, tags: [String]) async throws -> ManifestDocument {
        let document = try await store.fetchManifest(repository, reference: reference)
        let store = self.store
        try await forEachConcurrently(tags, limit: concurrency) { tag in
            try await store.pushManifest(repository, reference: tag, manifest: document)
        }
        return document
    }
}
