import BerthCore
import Foundation

extension RegistryClient {
    /// Every tag, following `Link: <…>; rel="next"` (relative or absolute) until the last page.
    public func listTags(_ repository: String) async throws -> [String] {
        struct Page: Decodable { let tags: [String]? }
        return try await paginate(
            try url("/v2/\(repository.pathEncoded)/tags/list", query: [URLQueryItem(name: "n", value: "1000")]),
            scopes: [ScopeSet.pull(repository)]
        ) { body in try JSONDecoder().decode(Page.self, from: body).tags ?? [] }
    }

    /// Every repository of the registry (`/v2/_catalog`), all pages.
    public func catalog() async throws -> [String] {
        struct Page: Decodable { let repositories: [String]? }
        return try await paginate(
            try url("/v2/_catalog", query: [URLQueryItem(name: "n", value: "1000")]), scopes: [ScopeSet.catalog]
        ) { body in try JSONDecoder().decode(Page.self, from: body).repositories ?? [] }
    }

    func paginate(_ first: URL, scopes: [String], page: (Data) throws -> [String]) async throws -> [String] {
        var results: [String] = []
        var next: URL? = first
        var seen = Set<URL>()
        while let current = next, seen.insert(current).inserted {
            let response = try await expect([200], "GET", current, scopes: scopes)
            do { results += try page(response.body) } catch {
                throw ImageStoreError(.invalid, "GET \(RegistryError.redacted(current)): not a tag or catalog list")
            }
            next = response.headerValues("Link").compactMap { Self.nextLink($0, relativeTo: current) }.first
        }
        return results
    }

    /// The `rel="next"` target of a Link header value.
    static func nextLink(_ header: String, relativeTo base: URL) -> URL? {
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">"),
                pieces.dropFirst().contains(where: {
                    $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next"
                })
            else { continue }
            return URL(string: String(target.dropFirst().dropLast()), relativeTo: base)?.absoluteURL
        }
        return nil
    }
}
