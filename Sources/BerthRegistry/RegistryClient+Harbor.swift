import BerthCore
import BerthOCI
import Foundation

/// `ArtifactTagging` over Harbor's API on the registry's own host, with the registry's credentials: where
/// a Harbor project policy refuses the manifest GET a retag needs (412), `TagWriter` tags through it.
extension RegistryClient {
    /// Harbor's API beside this registry.
    var harborAPI: HarborAPI {
        HarborAPI(
            baseURL: baseURL, registryHost: host, credentials: authenticator.credentials, transport: transport,
            insecure: insecure, timeout: timeouts.attempt)
    }

    /// Asks `/api/v2.0/systeminfo` once; a registry that isn't Harbor answers 404 there.
    public func offersArtifactTagging() async throws -> Bool {
        if let known = harborProbe.current { return known }
        let answer = try await harborAPI.isHarbor()
        harborProbe.withLock { $0 = answer }
        return answer
    }

    public func taggedDigest(_ repository: String, tag: String) async throws -> Digest? {
        try await harborAPI.taggedDigest(repository, tag: tag)
    }

    public func addTag(_ tag: String, to digest: Digest, in repository: String) async throws {
        try await harborAPI.addTag(tag, to: digest, in: repository)
    }
}
