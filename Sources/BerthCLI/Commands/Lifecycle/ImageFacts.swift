import BerthCore
import BerthOCI

/// What the lifecycle commands read of an image in a store: its digests, version and revision labels.
struct ImageFacts {
    let reference: ImageReference
    let repository: String
    let document: ManifestDocument
    let identity: ImageIdentity
    let labels: [String: String]

    var version: String? { labels[AnnotationKey.version] }
    var revision: String? { labels[AnnotationKey.revision] }

    /// Reads `reference` (every platform's manifest and config for an index).
    static func read(_ reference: ImageReference, store: any ImageStore) async throws -> ImageFacts {
        let top = try await store.fetchManifest(reference.repository, reference: reference.reference)
        var manifests: [Digest] = []
        var configs: [Digest] = []
        var labels: [String: String] = [:]
        let children = top.isIndex ? try top.index().manifests.map(\.digest) : [top.digest]
        for child in children {
            let document =
                child == top.digest ? top : try await store.fetchManifest(reference.repository, reference: child.description)
            guard !document.isIndex else { continue }
            let manifest = try document.manifest()
            manifests.append(document.digest)
            configs.append(manifest.config.digest)
            if labels.isEmpty, manifest.config.mediaType != MediaType.ociEmpty,
                let config = try? ImageConfig.parse(
                    try await store.fetchBlob(reference.repository, digest: manifest.config.digest))
            {
                labels = config.labels
            }
        }
        return ImageFacts(
            reference: reference, repository: repositoryName(reference), document: top,
            identity: ImageIdentity(digest: top.digest, manifestDigests: Set(manifests), configDigests: Set(configs)),
            labels: labels)
    }

    /// `host/repo` or `oci:PATH`: how the ledger names a repository.
    static func repositoryName(_ reference: ImageReference) -> String {
        switch reference.store {
        case .registry(let host): "\(host)/\(reference.repository)"
        case .layout(let path): "oci:\(path)"
        }
    }
}
