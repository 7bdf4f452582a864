import BerthCore
import BerthOCI
import Foundation

/// An `ImageStore` in memory, for service tests and as the third peer of the contract suite.
/// Repositories share one blob pool, so mounts between them work as on a registry.
public final class InMemoryImageStore: BlobMounting, RepositoryCataloging, @unchecked Sendable {
    private let lock = NSLock()
    private var tags: [String: [(String, Digest)]] = [:]
    private var manifests: [String: [Digest: ManifestDocument]] = [:]
    private var blobs: [String: [Digest: Data]] = [:]
    /// Counts of operations, for tests that check how much work was done.
    public private(set) var operations: [String: Int] = [:]
    public let displayName: String

    public init(name: String = "memory") { displayName = name }

    private func count(_ operation: String) { operations[operation, default: 0] += 1 }

    public func listTags(_ repository: String) async throws -> [String] {
        lock.withLock {
            count("listTags")
            return (tags[repository] ?? []).map(\.0)
        }
    }

    public func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        lock.withLock {
            count("resolve")
            return document(repository, reference)?.descriptor
        }
    }

    private func document(_ repository: String, _ reference: String) -> ManifestDocument? {
        let digest = Digest(reference) ?? tags[repository]?.first(where: { $0.0 == reference })?.1
        return digest.flatMap { manifests[repository]?[$0] }
    }

    public func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        try lock.withLock {
            count("fetchManifest")
            guard let found = document(repository, reference) else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no manifest '\(reference)'")
            }
            return found
        }
    }

    public func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        try lock.withLock {
            count("fetchBlob")
            guard let data = blobs[repository]?[digest] else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no blob \(digest)")
            }
            return data
        }
    }

    public func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        lock.withLock {
            count("blobExists")
            return blobs[repository]?[digest] != nil
        }
    }

    public func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        guard digest.matches(data) else {
            throw ImageStoreError(.invalid, "refusing blob: its bytes hash to \(digest.computed(for: data)), not \(digest)")
        }
        lock.withLock {
            count("pushBlob")
            blobs[repository, default: [:]][digest] = data
        }
    }

    public func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try lock.withLock {
            count("pushManifest")
            if let digest = Digest(reference), digest != manifest.digest {
                throw ImageStoreError(.invalid, "manifest pushed as \(digest) hashes to \(manifest.digest)")
            }
            manifests[repository, default: [:]][manifest.digest] = manifest
            guard Digest(reference) == nil else { return }
            var list = tags[repository] ?? []
            list.removeAll { $0.0 == reference }
            list.append((reference, manifest.digest))
            tags[repository] = list
        }
    }

    public func deleteManifest(_ repository: String, digest: Digest) async throws {
        try lock.withLock {
            count("deleteManifest")
            guard manifests[repository]?.removeValue(forKey: digest) != nil else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no manifest \(digest)")
            }
            tags[repository]?.removeAll { $0.1 == digest }
        }
    }

    public func deleteTag(_ repository: String, tag: String) async throws {
        try lock.withLock {
            count("deleteTag")
            guard tags[repository]?.contains(where: { $0.0 == tag }) == true else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no tag '\(tag)'")
            }
            tags[repository]?.removeAll { $0.0 == tag }
        }
    }

    public func mountBlob(_ repository: String, digest: Digest, from source: String) async throws -> Bool {
        lock.withLock {
            count("mountBlob")
            guard let data = blobs[source]?[digest] else { return false }
            blobs[repository, default: [:]][digest] = data
            return true
        }
    }

    public func sharesHost(with other: any ImageStore) -> Bool { (other as? InMemoryImageStore) === self }

    public func catalog() async throws -> [String] { lock.withLock { manifests.keys.sorted() } }
}
