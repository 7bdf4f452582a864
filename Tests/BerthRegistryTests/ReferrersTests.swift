import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

@Suite("referrers: the OCI 1.1 API and the tag-schema fallback")
struct ReferrersTests {
    static let subject = Digest.sha256(of: Data("image".utf8))
    static let sbom = Descriptor(
        mediaType: MediaType.ociManifest, digest: .sha256(of: Data("sbom".utf8)), size: 400, artifactType: "application/spdx+json"
    )

    @Test("a registry with the API lists referrers from /referrers/<digest>, every page, and the fallback tag is never written")
    func api() async throws {
        let second = Descriptor(
            mediaType: MediaType.ociManifest, digest: .sha256(of: Data("sig".utf8)), size: 300,
            artifactType: "application/vnd.dev.sigstore")
        let transport = ScriptedTransport { request in
            guard request.method == "GET", request.url.path.hasPrefix("/v2/acme/api/referrers/") else {
                return .json(404, #"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#)
            }
            let page = request.url.query == "last=1"
            let index = ImageIndex(manifests: [page ? second : Self.sbom])
            return HTTPResponse(
                status: 200,
                headers: [("Content-Type", MediaType.ociIndex)]
                    + (page ? [] : [("Link", #"</v2/acme/api/referrers/\#(Self.subject)?last=1>; rel="next""#)]),
                body: try CanonicalJSON.encode(index))
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        #expect(
            try await client.referrers("acme/api", digest: Self.subject)?.map(\.artifactType) == [
                "application/spdx+json", "application/vnd.dev.sigstore",
            ])
        #expect(try await Referrers(store: client).list("acme/api", subject: Self.subject).count == 2)
        #expect(!transport.lines.contains { $0.contains("sha256-") })
    }

    @Test("a registry without the API (404, like Docker Distribution 2.8) answers nil, so the fallback tag is read")
    func fallback() async throws {
        let fallbackIndex = try ManifestDocument(
            bytes: CanonicalJSON.encode(ImageIndex(manifests: [Self.sbom])), mediaType: MediaType.ociIndex)
        let transport = ScriptedTransport { request in
            if request.url.path.contains("/referrers/") { return .json(404, #"{"errors":[{"code":"NOT_FOUND"}]}"#) }
            if request.url.path == "/v2/acme/api/manifests/\(Referrers.fallbackTag(for: Self.subject))" {
                return HTTPResponse(
                    status: 200,
                    headers: [("Content-Type", MediaType.ociIndex), ("Docker-Content-Digest", fallbackIndex.digest.description)],
                    body: request.method == "HEAD" ? Data() : fallbackIndex.bytes)
            }
            return .json(404, #"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#)
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        #expect(try await client.referrers("acme/api", digest: Self.subject) == nil)
        #expect(try await Referrers(store: client).list("acme/api", subject: Self.subject) == [Self.sbom])
        #expect(Referrers.fallbackTag(for: Self.subject) == "sha256-\(Self.subject.hex)")
    }

    @Test("no such route (Distribution's plain 404) is asked once per repository; a repository not there yet is asked again")
    func absentAPIRemembered() async throws {
        let asked = Locked<[String]>([])
        let transport = ScriptedTransport { request in
            asked.withLock { $0.append(request.url.path) }
            if request.url.path.hasPrefix("/v2/acme/new/") { return .json(404, #"{"errors":[{"code":"NAME_UNKNOWN"}]}"#) }
            return HTTPResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Data("404 page not found\n".utf8))
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        let other = Digest.sha256(of: Data("another subject".utf8))
        for digest in [Self.subject, other, Self.subject] {
            #expect(try await client.referrers("acme/api", digest: digest) == nil)
            #expect(try await client.referrers("acme/new", digest: digest) == nil)
        }
        #expect(asked.current.filter { $0.hasPrefix("/v2/acme/api/") }.count == 1)
        #expect(asked.current.filter { $0.hasPrefix("/v2/acme/new/") }.count == 3)
    }
}
