import BerthCore
import BerthOCI
import Foundation

extension RegistryClient {
    var acceptHeader: (String, String) { ("Accept", MediaType.manifestTypes.joined(separator: ", ")) }

    func manifestURL(_ repository: String, _ reference: String) throws -> URL {
        try url("/v2/\(repository.pathEncoded)/manifests/\(reference.pathEncoded)")
    }

    /// HEAD with every manifest type accepted; GET when the registry leaves out Docker-Content-Digest.
    public func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        let url = try manifestURL(repository, reference)
        let response = try await send("HEAD", url, headers: [acceptHeader], scopes: [ScopeSet.pull(repository)])
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw RegistryError.http(HTTPRequest(method: "HEAD", url: url), response, host: host)
        }
        if let digestText = response.header("Docker-Content-Digest"), let digest = Digest(digestText),
            let type = response.header("Content-Type"), MediaType.manifestTypes.contains(type),
            let size = response.header("Content-Length").flatMap(Int64.init)
        {
            return Descriptor(mediaType: type, digest: digest, size: size)
        }
        return try await fetchManifest(repository, reference: reference).descriptor
    }

    /// GET, verified: by digest the bytes must hash to it; by tag they must match Docker-Content-Digest.
    public func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        let url = try manifestURL(repository, reference)
        let response = try await expect([200], "GET", url, headers: [acceptHeader], scopes: [ScopeSet.pull(repository)])
        let document: ManifestDocument
        do { document = try ManifestDocument(bytes: response.body, mediaType: response.header("Content-Type")) } catch {
            throw ImageStoreError(.invalid, "GET \(RegistryError.redacted(url)): \(error)")
        }
        let expected = Digest(reference) ?? response.header("Docker-Content-Digest").flatMap(Digest.init)
        if let expected, expected.computed(for: response.body) != expected {
            throw ImageStoreError(
                .invalid,
                "GET \(RegistryError.redacted(url)): the manifest's bytes hash to \(expected.computed(for: response.body)), not \(expected); refusing it"
            )
        }
        return document
    }

    /// PUT of the exact bytes; the registry's Docker-Content-Digest must agree.
    public func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        let url = try manifestURL(repository, reference)
        let response = try await expect(
            [200, 201, 202], "PUT", url, headers: [("Content-Type", manifest.mediaType)], body: manifest.bytes,
            scopes: [ScopeSet.push(repository)])
        if let returned = response.header("Docker-Content-Digest").flatMap(Digest.init), returned != manifest.digest {
            throw ImageStoreError(
                .conflict,
                "PUT \(RegistryError.redacted(url)): the registry stored \(returned), not \(manifest.digest); it rewrote the manifest"
            )
        }
    }

    public func deleteManifest(_ repository: String, digest: Digest) async throws {
        _ = try await expect(
            [200, 202], "DELETE", manifestURL(repository, digest.description),
            scopes: [ScopeSet.delete(repository), ScopeSet.push(repository)])
    }

    /// Safe single-tag delete: DELETE by tag is refused by most registries and deleting the digest would
    /// take every alias with it, so berth points the tag at a unique throwaway manifest and deletes that.
    /// Deletion is tried on a throwaway pushed by digest first, so a registry that can't delete leaves the
    /// tag untouched.
    public func deleteTag(_ repository: String, tag: String) async throws {
        guard try await resolve(repository, reference: tag) != nil else {
            throw ImageStoreError(.notFound, "\(host)/\(repository) has no tag '\(tag)'")
        }
        let probe = try await pushThrowaway(repository, reference: nil, note: "probe")
        try await deleteManifest(repository, digest: probe.digest)
        let throwaway = try await pushThrowaway(repository, reference: tag, note: tag)
        try await deleteManifest(repository, digest: throwaway.digest)
    }

    /// An OCI manifest unique to this call (empty config, an annotation with a random id).
    func pushThrowaway(_ repository: String, reference: String?, note: String) async throws -> ManifestDocument {
        let empty = Data("{}".utf8)
        let emptyDigest = Digest.sha256(of: empty)
        if try await !blobExists(repository, digest: emptyDigest) {
            try await pushBlob(repository, digest: emptyDigest, data: empty)
        }
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.ociEmpty, digest: emptyDigest, size: 2), layers: [],
            annotations: ["dev.berth.throwaway": "\(note) \(UUID().uuidString)"])
        let document = try ManifestDocument(bytes: try CanonicalJSON.encode(manifest), mediaType: MediaType.ociManifest)
        try await pushManifest(repository, reference: reference ?? document.digest.description, manifest: document)
        return document
    }
}
