import BerthOCI
import Foundation

/// A place images live: a registry (BerthRegistry), an OCI image layout (BerthLayout) or memory (tests).
///
/// Every implementation passes the same contract suite. Content is addressed by digest and verified:
/// a fetched manifest or blob whose bytes don't hash to the digest asked for is an error, never data.
/// Repository names are ignored by stores that hold one repository (a layout).
public protocol ImageStore: Sendable {
    /// A name for messages: `registry.example`, `oci:/path`.
    var displayName: String { get }
    /// All tags of a repository, every page, in the store's order (not necessarily sorted).
    func listTags(_ repository: String) async throws -> [String]
    /// The descriptor of the manifest a tag or digest names; nil when there is none.
    func resolve(_ repository: String, reference: String) async throws -> Descriptor?
    /// The manifest a tag or digest names, verified against its digest.
    func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument
    /// A blob's bytes, verified against `digest`.
    func fetchBlob(_ repository: String, digest: Digest) async throws -> Data
    /// Whether the blob is present.
    func blobExists(_ repository: String, digest: Digest) async throws -> Bool
    /// Stores a blob; the store verifies it against `digest`.
    func pushBlob(_ repository: String, digest: Digest, data: Data) async throws
    /// Stores a manifest under a tag or under its digest (`reference`), byte for byte.
    func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws
    /// Deletes a manifest and, with it, every tag that points at it.
    func deleteManifest(_ repository: String, digest: Digest) async throws
    /// Removes one tag, leaving the manifest and its other tags in place.
    func deleteTag(_ repository: String, tag: String) async throws
}

/// A store that can link a blob from another repository on the same host without moving bytes
/// (OCI distribution-spec "Mounting a blob from another repository").
public protocol BlobMounting: ImageStore {
    /// Mounts `digest` from `source` into `repository`; false when the store declined (copy it instead).
    func mountBlob(_ repository: String, digest: Digest, from source: String) async throws -> Bool
    /// Whether `other` is the same registry, so a mount can work.
    func sharesHost(with other: any ImageStore) -> Bool
    /// Repositories of this store where `digest` was seen before (by this or an earlier process), newest
    /// first: hints to mount from, which the store may still decline. None by default.
    func knownLocations(of digest: Digest) -> [String]
}

extension BlobMounting {
    public func knownLocations(of digest: Digest) -> [String] { [] }
}

/// A store that answers the OCI 1.1 referrers API (distribution-spec "Listing Referrers").
public protocol ReferrersListing: ImageStore {
    /// The manifests whose `subject` is `digest`; nil when the store doesn't offer the API, so the
    /// `sha256-<hex>` tag schema applies instead.
    func referrers(_ repository: String, digest: Digest) async throws -> [Descriptor]?
}

/// A store that can reclaim the blobs no tag reaches any more (an OCI layout after tag deletes).
public protocol GarbageCollecting: ImageStore {
    /// Removes unreachable blobs; returns how many and their bytes.
    @discardableResult
    func garbageCollect() async throws -> (blobs: Int, bytes: Int64)
}

/// A store that lists its repositories.
public protocol RepositoryCataloging: ImageStore {
    func catalog() async throws -> [String]
}

/// Why a store operation failed, with what to do.
public struct ImageStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notFound, unauthorized, denied, unsupported, conflict, invalid, unavailable, policy
        /// The store's identity can't be verified (a TLS certificate not trusted): never retried.
        case untrusted
    }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The matching `BerthError`, for the CLI's exit codes.
    public var berthError: BerthError {
        switch kind {
        case .conflict: BerthError(.conflict, message)
        case .invalid: BerthError(.badInput, message)
        default: BerthError(.failure, message)
        }
    }
}

/// A blob read on demand, chunk by chunk, so a transfer holds one chunk in memory instead of a layer.
public struct BlobChunks: Sendable {
    /// The size, when the store knows it.
    public let size: Int64?
    private let next: @Sendable () async throws -> Data?

    /// `next` returns the following chunk, or nil at the end; it throws when the content turns out not to
    /// hash to the digest asked for (checked at the end).
    public init(size: Int64?, next: @escaping @Sendable () async throws -> Data?) {
        self.size = size
        self.next = next
    }

    public func nextChunk() async throws -> Data? { try await next() }
}

/// A store that moves blobs as chunk streams (registries, layouts); the copier uses it when both sides can.
public protocol BlobStreaming: ImageStore {
    /// Opens a blob for reading in chunks.
    func openBlob(_ repository: String, digest: Digest) async throws -> BlobChunks
    /// Stores a blob from chunks, hashing as they pass; nothing is committed unless the digest matches.
    func pushBlob(_ repository: String, digest: Digest, chunks: BlobChunks) async throws
}
