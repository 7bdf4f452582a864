import BerthCore
import BerthOCI
import Foundation

/// An `ImageStore` in memory, for service tests and as the third peer of the contract suite.
/// Repositories share one blob pool, so mounts between them work as on a registry.
public final class InMemoryImageStore: BlobMounting, RepositoryCataloging, Sendable {
    private let state = Locked(State())
    public let displayName: String

    private struct State {
        var tags: [String: [(String, Digest)]] = [:]
        var manifests: [String: [Digest: ManifestDocument]] = [:]
        var blobs: [String: [Digest: Data]] = [:]
        var operations: [String: Int] = [:]

        mutating func count(_ operation: String) { operations[operation, default: 0] += 1 }

        func document(_ repository: String, _ reference: String) -> ManifestDocument? {
            let digest = Digest(reference) ?? tags[repository]?.first(where: { $0.0 == reference })?.1
            return digest.flatMap { manifests[repository]?[$0] }
        }
    }

    public init(name: String = "memory") { displayName = name }

    /// Counts of operations, for tests that check how much work was done.
    public var operations: [String: Int] { state.withLock { $0.operations } }

    public func listTags(_ repository: String) async throws -> [String] {
        state.withLock { state in
            state.count("listTags")
            return (state.tags[repository] ?? []).map(\.0)
        }
    }

    public func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        state.withLock { state in
            state.count("resolve")
            return state.document(repository, reference)?.descriptor
        }
    }

    public func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        try state.withLock { state in
            state.count("fetchManifest")
            guard let found = state.document(repository, reference) else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no manifest '\(reference)'")
            }
            return found
        }
    }

    public func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        try state.withLock { state in
            state.count("fetchBlob")
            guard let data = state.blobs[repository]?[digest] else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no blob \(digest)")
            }
            return data
        }
    }

    public func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        state.withLock { state in
            state.count("blobExists")
            return state.blobs[repository]?[digest] != nil
        }
    }

    public func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        guard digest.matches(data) else {
            throw ImageStoreError(.invalid, "refusing blob: its bytes hash to \(digest.computed(for: data)), not \(digest)")
        }
        state.withLock { state in
            state.count("pushBlob")
            state.blobs[repository, default: [:]][digest] = data
        }
    }

    public func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try state.withLock { state in
            state.count("pushManifest")
            if let digest = Digest(reference), digest != manifest.digest {
                throw ImageStoreError(.invalid, "manifest pushed as \(digest) hashes to \(manifest.digest)")
            }
            state.manifests[repository, default: [:]][manifest.digest] = manifest
            guard Digest(reference) == nil else { return }
            var list = state.tags[repository] ?? []
            list.removeAll { $0.0 == reference }
            list.append((reference, manifest.digest))
            state.tags[repository] = list
        }
    }

    public func deleteManifest(_ repository: String, digest: Digest) async throws {
        try state.withLock { state in
            state.count("deleteManifest")
            guard state.manifests[repository]?.removeValue(forKey: digest) != nil else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no manifest \(digest)")
            }
            state.tags[repository]?.removeAll { $0.1 == digest }
        }
    }

    public func deleteTag(_ repository: String, tag: String) async throws {
        try state.withLock { state in
            state.count("deleteTag")
            guard state.tags[repository]?.contains(where: { $0.0 == tag }) == true else {
                throw ImageStoreError(.notFound, "\(displayName)/\(repository) has no tag '\(tag)'")
            }
            state.tags[repository]?.removeAll { $0.0 == tag }
        }
    }

    public func mountBlob(_ repository: String, digest: Digest, from source: String) async throws -> Bool {
        state.withLock { state in
            state.count("mountBlob")
            guard let data = state.blobs[source]?[digest] else { return false }
            state.blobs[repository, default: [:]][digest] = data
            return true
        }
    }

    public func sharesHost(with other: any ImageStore) -> Bool { (other as? InMemoryImageStore) === self }

    public func catalog() async throws -> [String] { state.withLock { $0.manifests.keys.sorted() } }
}
