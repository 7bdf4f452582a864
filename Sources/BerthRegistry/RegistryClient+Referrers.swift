import BerthCore
import BerthOCI
import Foundation

extension RegistryClient: ReferrersListing {
    /// `GET /v2/<name>/referrers/<digest>` (distribution-spec 1.1 "Listing Referrers"), every page. A
    /// registry with the API never answers 404 here, so a 404 (Docker Distribution 2.8) means no API: nil.
    /// A 404 that isn't the registry's own error document (Distribution's "404 page not found": no such
    /// route) is remembered, and the repository isn't asked again by this client (a build links an SBOM per
    /// platform, then signs); a `NAME_UNKNOWN` (a repository not there yet) isn't.
    public func referrers(_ repository: String, digest: Digest) async throws -> [Descriptor]? {
        if referrersAPIAbsent.withLock({ $0.contains(repository) }) { return nil }
        var next: URL? = try url("/v2/\(repository.pathEncoded)/referrers/\(digest)")
        var seen = Set<URL>()
        var found: [Descriptor] = []
        while let current = next, seen.insert(current).inserted {
            let response = try await send(
                "GET", current, headers: [("Accept", MediaType.ociIndex)], scopes: [ScopeSet.pull(repository)])
            if response.status == 404 && found.isEmpty {
                if RegistryError.errorCodes(response.body) == nil {
                    referrersAPIAbsent.withLock { _ = $0.insert(repository) }
                }
                return nil
            }
            guard response.status == 200 else {
                throw RegistryError.http(HTTPRequest(method: "GET", url: current), response, host: host)
            }
            guard let index = try? JSONDecoder().decode(ImageIndex.self, from: response.body) else {
                throw ImageStoreError(
                    .invalid, "GET \(RegistryError.redacted(current)): the referrers answer is not an image index")
            }
            found += index.manifests
            next = response.headerValues("Link").compactMap { Self.nextLink($0, relativeTo: current) }.first
        }
        return found
    }
}
