import BerthCore
import BerthOCI
import Foundation

/// The behaviour every `ImageStore` must have, as checks that throw a `ContractViolation` naming the
/// broken rule. Test targets run `ImageStoreContract.all` against the memory store, a layout and a real
/// registry.
public enum ImageStoreContract {
    public struct ContractViolation: Error, CustomStringConvertible {
        public let rule: String
        public let detail: String
        public var description: String { "\(rule): \(detail)" }
    }

    static func require(_ condition: Bool, _ rule: String, _ detail: @autoclosure () -> String = "") throws {
        if !condition { throw ContractViolation(rule: rule, detail: detail()) }
    }

    /// The named checks; `repository` must be fresh for each store.
    public static let all: [(String, @Sendable (any ImageStore, String) async throws -> Void)] = [
        ("blobs round-trip and are verified", blobsRoundTrip),
        ("a tag resolves to the pushed bytes", tagResolves),
        ("retagging keeps the digest", retagKeepsDigest),
        ("deleting one tag keeps the others", deleteOneTag),
        ("deleting a manifest removes its tags", deleteManifest),
        ("an index is stored whole with every platform", indexWhole),
        ("unknown references are absent, not errors", unknownIsAbsent),
    ]

    static func blobsRoundTrip(_ store: any ImageStore, _ repository: String) async throws {
        let data = Data("contract blob \(repository)".utf8)
        let digest = Digest.sha256(of: data)
        try require(!(try await store.blobExists(repository, digest: digest)), "a new blob is absent")
        try await store.pushBlob(repository, digest: digest, data: data)
        try require(try await store.blobExists(repository, digest: digest), "a pushed blob exists")
        try require(try await store.fetchBlob(repository, digest: digest) == data, "a blob comes back byte for byte")
        var refused = false
        do { try await store.pushBlob(repository, digest: Digest.sha256(of: Data("other".utf8)), data: data) } catch {
            refused = true
        }
        try require(refused, "a blob whose bytes don't match its digest is refused")
    }

    static func tagResolves(_ store: any ImageStore, _ repository: String) async throws {
        let document = try await TestImages.push(into: store, repository: repository, tag: "v1.0.0", seed: "\(repository)-a")
        let resolved = try await store.resolve(repository, reference: "v1.0.0")
        try require(
            resolved?.digest == document.digest, "resolve(tag) gives the pushed digest", "\(String(describing: resolved))")
        try require(
            resolved?.mediaType == MediaType.ociManifest, "resolve gives the media type", "\(String(describing: resolved))")
        let fetched = try await store.fetchManifest(repository, reference: "v1.0.0")
        try require(fetched.bytes == document.bytes, "a manifest comes back byte for byte")
        let byDigest = try await store.fetchManifest(repository, reference: document.digest.description)
        try require(byDigest.digest == document.digest, "a manifest is reachable by digest")
        try require(try await store.listTags(repository).contains("v1.0.0"), "listTags includes the tag")
    }

    static func retagKeepsDigest(_ store: any ImageStore, _ repository: String) async throws {
        let document = try await TestImages.push(into: store, repository: repository, tag: "v2.0.0", seed: "\(repository)-b")
        try await Retagger(store: store).retag(repository, reference: "v2.0.0", tags: ["v2.0", "v2", "latest"])
        for tag in ["v2.0", "v2", "latest"] {
            try require(
                try await store.resolve(repository, reference: tag)?.digest == document.digest, "retag '\(tag)' keeps the digest")
        }
        try require(
            Set(try await store.listTags(repository)).isSuperset(of: ["v2.0.0", "v2.0", "v2", "latest"]), "all tags are listed")
    }

    static func deleteOneTag(_ store: any ImageStore, _ repository: String) async throws {
        let document = try await TestImages.push(into: store, repository: repository, tag: "keep", seed: "\(repository)-c")
        try await store.pushManifest(repository, reference: "drop", manifest: document)
        try await store.deleteTag(repository, tag: "drop")
        try require(try await store.resolve(repository, reference: "drop") == nil, "the deleted tag is gone")
        try require(
            try await store.resolve(repository, reference: "keep")?.digest == document.digest, "the other tag still resolves")
        try require(!(try await store.listTags(repository).contains("drop")), "the deleted tag is not listed")
    }

    static func deleteManifest(_ store: any ImageStore, _ repository: String) async throws {
        let document = try await TestImages.push(into: store, repository: repository, tag: "gone", seed: "\(repository)-d")
        try await store.deleteManifest(repository, digest: document.digest)
        try require(try await store.resolve(repository, reference: "gone") == nil, "a deleted manifest's tag is gone")
        try require(
            try await store.resolve(repository, reference: document.digest.description) == nil, "a deleted manifest is gone")
    }

    static func indexWhole(_ store: any ImageStore, _ repository: String) async throws {
        let index = try await TestImages.pushIndex(into: store, repository: repository, tag: "multi", seed: "\(repository)-e")
        let fetched = try await store.fetchManifest(repository, reference: "multi")
        try require(fetched.digest == index.digest && fetched.isIndex, "the index comes back with its digest")
        for child in try fetched.index().manifests {
            let manifest = try await store.fetchManifest(repository, reference: child.digest.description)
            for blob in try manifest.manifest().blobs {
                try require(try await store.blobExists(repository, digest: blob.digest), "every platform's blobs are present")
            }
        }
    }

    static func unknownIsAbsent(_ store: any ImageStore, _ repository: String) async throws {
        try await TestImages.push(into: store, repository: repository, tag: "present", seed: "\(repository)-f")
        try require(try await store.resolve(repository, reference: "absent") == nil, "resolve of an unknown tag is nil")
        var notFound = false
        do { _ = try await store.fetchManifest(repository, reference: "absent") } catch let error as ImageStoreError {
            notFound = error.kind == .notFound
        }
        try require(notFound, "fetching an unknown tag is a notFound error")
    }
}
