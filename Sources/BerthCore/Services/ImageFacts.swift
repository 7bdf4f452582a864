import BerthOCI

/// What the lifecycle reads of an image in a store: its digests (every platform's manifest and config
/// for an index) and its labels. The one reader of an image's identity, version and revision.
public struct ImageFacts: Sendable {
    public let reference: ImageReference
    /// How the ledger names the repository (`host/repo`, `oci:PATH`).
    public let repository: String
    public let document: ManifestDocument
    public let identity: ImageIdentity
    /// The first platform's config labels (empty for an artifact with an empty config).
    public let labels: [String: String]

    public var version: String? { labels[AnnotationKey.version] }
    public var revision: String? { labels[AnnotationKey.revision] }

    /// Reads `reference` from `store`.
    public static func read(_ reference: ImageReference, store: any ImageStore) async throws -> ImageFacts {
        let repository = reference.repository
        let top = try await store.fetchManifest(repository, reference: reference.reference)
        var manifests: [Digest] = []
        var configs: [Digest] = []
        var labels: [String: String] = [:]
        let children = top.isIndex ? try top.index().manifests.map(\.digest) : [top.digest]
        for child in children {
            let document = child == top.digest ? top : try await store.fetchManifest(repository, reference: child.description)
            guard !document.isIndex else { continue }
            let manifest = try document.manifest()
            manifests.append(document.digest)
            configs.append(manifest.config.digest)
            if labels.isEmpty, manifest.config.mediaType != MediaType.ociEmpty {
                labels =
                    (try? ImageConfig.parse(try await store.fetchBlob(repository, digest: manifest.config.digest)).labels) ?? [:]
            }
        }
        return ImageFacts(
            reference: reference, repository: reference.ledgerName, document: top,
            identity: ImageIdentity(digest: top.digest, manifestDigests: Set(manifests), configDigests: Set(configs)),
            labels: labels)
    }

    /// The revision label of the image `digest` names (its first platform's, for an index), reading no
    /// more than it needs.
    public static func revision(of digest: Digest, repository: String, store: any ImageStore) async throws -> String? {
        var document = try await store.fetchManifest(repository, reference: digest.description)
        if document.isIndex {
            guard let first = try document.index().manifests.first else { return nil }
            document = try await store.fetchManifest(repository, reference: first.digest.description)
        }
        let config = try document.manifest().config
        guard config.mediaType != MediaType.ociEmpty else { return nil }
        return try ImageConfig.parse(try await store.fetchBlob(repository, digest: config.digest)).labels[AnnotationKey.revision]
    }
}

extension ImageReference {
    /// How the ledger names the repository: `host/repo`, or `oci:PATH` for a layout.
    public var ledgerName: String {
        switch store {
        case .registry(let host): "\(host)/\(repository)"
        case .layout(let path): "oci:\(path)"
        }
    }
}
