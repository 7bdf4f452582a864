import BerthCore
import BerthOCI
import Foundation
import Testing

@testable import BerthRegistry

@Suite("redirect loops are the registry's failure (exit 1), naming the method and the redacted URL")
struct RedirectLoopTests {
    /// A registry that answers every request under /v2/ with a redirect `next(url)` picks.
    static func redirecting(_ next: @escaping @Sendable (URL) -> String) -> ScriptedTransport {
        ScriptedTransport { request in
            HTTPResponse(status: 307, headers: [("Location", next(request.url))])
        }
    }

    static func expectLoop(_ error: ImageStoreError, method: String, url: String) {
        #expect(error.kind == .unavailable)
        #expect(error.berthError.kind == .failure, "a redirect loop exits 1, not 65")
        #expect(error.message.hasPrefix("\(method) \(url): more than 5 redirects"), "\(error.message)")
        #expect(error.message.contains("loop"))
        #expect(!error.message.contains("s3cr3t"), "a signed URL's secret leaked: \(error.message)")
    }

    @Test("a manifest GET redirected to itself stops after 5 redirects")
    func selfLoop() async throws {
        let transport = Self.redirecting { $0.absoluteString }
        let client = RegistryClient(host: "registry.example", transport: transport)
        let error = try await #require(throws: ImageStoreError.self) {
            try await client.fetchManifest("acme/api", reference: "v1")
        }
        Self.expectLoop(error, method: "GET", url: "https://registry.example/v2/acme/api/manifests/v1")
        #expect(transport.recorded.count == 6)
    }

    @Test("a ping-pong through blob storage with a signed query: the secret stays out of the message")
    func pingPong() async throws {
        let transport = Self.redirecting { url in
            url.host == "storage.example"
                ? "https://registry.example/v2/acme/api/blobs/back"
                : "https://storage.example/blob?X-Amz-Signature=s3cr3t&sig=s3cr3t"
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        let digest = Digest.sha256(of: Data("layer".utf8))
        let error = try await #require(throws: ImageStoreError.self) { try await client.fetchBlob("acme/api", digest: digest) }
        Self.expectLoop(error, method: "GET", url: "https://registry.example/v2/acme/api/blobs/\(digest)")
        let streamed = try await #require(throws: ImageStoreError.self) {
            let chunks = try await client.openBlob("acme/api", digest: digest)
            while try await chunks.nextChunk() != nil {}
        }
        Self.expectLoop(streamed, method: "GET", url: "https://registry.example/v2/acme/api/blobs/\(digest)")
    }

    @Test("a HEAD and a PUT in a loop say so with their own method")
    func otherMethods() async throws {
        let client = RegistryClient(host: "registry.example", transport: Self.redirecting { $0.absoluteString })
        let head = try await #require(throws: ImageStoreError.self) {
            _ = try await client.resolve("acme/api", reference: "v1")
        }
        Self.expectLoop(head, method: "HEAD", url: "https://registry.example/v2/acme/api/manifests/v1")
        let manifest = ScriptedRegistryTests.manifest
        let put = try await #require(throws: ImageStoreError.self) {
            try await client.pushManifest("acme/api", reference: "v2", manifest: manifest)
        }
        Self.expectLoop(put, method: "PUT", url: "https://registry.example/v2/acme/api/manifests/v2")
    }

    @Test("five redirects are still followed to the answer")
    func fiveHopsFine() async throws {
        let transport = ScriptedTransport { request in
            let hop = Int(request.url.lastPathComponent.dropFirst(3)) ?? 0
            guard hop < 5 else { return ScriptedRegistryTests.manifestResponse(request) }
            return HTTPResponse(status: 302, headers: [("Location", "/v2/acme/api/manifests/hop\(hop + 1)")])
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        let document = try await client.fetchManifest("acme/api", reference: "v1")
        #expect(document.digest == ScriptedRegistryTests.manifest.digest)
        #expect(transport.recorded.count == 6)
    }
}
