import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

@Suite("registry client against a scripted registry")
struct ScriptedRegistryTests {
    static let manifest: ManifestDocument = {
        let config = Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: Data("{}".utf8)), size: 2)
        let bytes = try! CanonicalJSON.encode(ImageManifest(config: config, layers: []))
        return try! ManifestDocument(bytes: bytes, mediaType: MediaType.ociManifest)
    }()

    static func manifestResponse(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", MediaType.ociManifest), ("Docker-Content-Digest", manifest.digest.description),
                ("Content-Length", String(manifest.bytes.count)),
            ], body: request.method == "HEAD" ? Data() : manifest.bytes)
    }

    @Test("Bearer flow: anonymous token by GET, reused; a push asks once for the union of scopes")
    func bearerScopeUnion() async throws {
        let transport = ScriptedTransport { request in
            let auth = request.header("Authorization")
            if request.url.host == "auth.example" {
                let scopes =
                    URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.filter { $0.name == "scope" }
                    .compactMap(\.value) ?? []
                let body = try? JSONSerialization.data(withJSONObject: [
                    "token": "tok-" + scopes.joined(separator: "+"), "expires_in": 300,
                ])
                return HTTPResponse(status: 200, body: body ?? Data())
            }
            let needsPush = request.method == "PUT"
            let scope = needsPush ? "repository:acme/api:pull,push" : "repository:acme/api:pull"
            guard let auth, auth.hasPrefix("Bearer tok-"), auth.contains(needsPush ? "pull,push" : "pull") else {
                return .json(
                    401, #"{"errors":[{"code":"UNAUTHORIZED"}]}"#,
                    headers: [
                        (
                            "WWW-Authenticate",
                            #"Bearer realm="https://auth.example/token",service="registry.example",scope="\#(scope)""#
                        )
                    ])
            }
            if needsPush {
                return HTTPResponse(status: 201, headers: [("Docker-Content-Digest", Self.manifest.digest.description)])
            }
            return Self.manifestResponse(request)
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        try await client.pushManifest("acme/api", reference: "v2", manifest: Self.manifest)
        try await client.pushManifest("acme/api", reference: "v3", manifest: Self.manifest)
        let tokenRequests = transport.lines.filter { $0.hasPrefix("GET auth.example") }
        #expect(tokenRequests.count == 2)
        #expect(tokenRequests.last?.contains("scope=repository:acme/api:pull,push") == true)
        // The second pull and the second push go straight through with the cached token.
        #expect(transport.lines.filter { $0.hasPrefix("GET registry.example") }.count == 3)
        #expect(transport.lines.filter { $0.hasPrefix("PUT registry.example") }.count == 2)
    }

    @Test("with credentials the token is asked by OAuth2 POST, falling back to GET with Basic")
    func oauthPostWithFallback() async throws {
        let transport = ScriptedTransport { request in
            if request.url.host == "auth.example" {
                if request.method == "POST" { return HTTPResponse(status: 405) }
                #expect(request.header("Authorization") == "Basic " + Data("me:pw".utf8).base64EncodedString())
                return .json(200, #"{"access_token":"abc"}"#)
            }
            if request.header("Authorization") != "Bearer abc" {
                return HTTPResponse(
                    status: 401, headers: [("WWW-Authenticate", #"Bearer realm="https://auth.example/token",service="r""#)])
            }
            return Self.manifestResponse(request)
        }
        let client = RegistryClient(
            host: "registry.example", credentials: StaticCredentials(.basic(username: "me", password: "pw")), transport: transport
        )
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        let post = try #require(transport.recorded.first { $0.method == "POST" })
        let form = String(decoding: post.body ?? Data(), as: UTF8.self)
        #expect(
            form.contains("grant_type=password") && form.contains("username=me")
                && form.contains("scope=repository%3Aacme%2Fapi%3Apull"))
    }

    @Test("credentials are never sent to a token realm over plain http")
    func noCredentialsOverHTTP() async throws {
        let transport = ScriptedTransport { request in
            HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Bearer realm="http://auth.example/token",service="r""#)])
        }
        let client = RegistryClient(
            host: "registry.example", credentials: StaticCredentials(.basic(username: "me", password: "pw")), transport: transport
        )
        await #expect {
            try await client.fetchManifest("acme/api", reference: "v1")
        } throws: { error in
            (error as? ImageStoreError)?.message.contains("plain http") == true
        }
        #expect(!transport.lines.contains { $0.contains("auth.example") })
    }

    @Test("429 with Retry-After is retried after the time asked; 503 backs off; POST is never retried")
    func retries() async throws {
        let counter = RequestCounterBox()
        let delays = DelayLog()
        let transport = ScriptedTransport { request in
            let n = counter.next()
            if request.method == "POST" { return HTTPResponse(status: 503) }
            switch n {
            case 1: return HTTPResponse(status: 429, headers: [("Retry-After", "7")])
            case 2: return HTTPResponse(status: 503)
            default: return Self.manifestResponse(request)
            }
        }
        let client = RegistryClient(host: "registry.example", transport: transport, retry: delays.policy)
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        #expect(delays.delays.first == .seconds(7))
        #expect(delays.delays.count == 2)
        await #expect(throws: ImageStoreError.self) {
            try await client.mountBlob("acme/api", digest: Self.manifest.digest, from: "x")
        }
        #expect(transport.lines.filter { $0.hasPrefix("POST") }.count == 1)
    }

    @Test("dropped connections are retried for idempotent requests, then reported with the redacted URL")
    func droppedConnections() async throws {
        let delays = DelayLog()
        let transport = ScriptedTransport { _ in throw TransportError("connection reset by peer") }
        let client = RegistryClient(host: "registry.example", transport: transport, retry: delays.policy)
        await #expect {
            try await client.resolve("acme/api", reference: "v1")
        } throws: { error in
            (error as? ImageStoreError)?.message.hasPrefix(
                "HEAD https://registry.example/v2/acme/api/manifests/v1: connection reset") == true
        }
        #expect(transport.recorded.count == 4)
    }

    @Test("a redirect to blob storage on another host drops the Authorization header")
    func redirectDropsAuth() async throws {
        let blob = Data("layer bytes".utf8)
        let digest = Digest.sha256(of: blob)
        let transport = ScriptedTransport { request in
            if request.url.host == "storage.example" {
                #expect(request.header("Authorization") == nil)
                return HTTPResponse(status: 200, body: blob)
            }
            if request.header("Authorization") == nil {
                return HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="r""#)])
            }
            return HTTPResponse(status: 307, headers: [("Location", "https://storage.example/blobs/abc?sig=secret")])
        }
        let client = RegistryClient(
            host: "registry.example", credentials: StaticCredentials(.basic(username: "u", password: "p")), transport: transport)
        #expect(try await client.fetchBlob("acme/api", digest: digest) == blob)
        #expect(transport.lines.last?.hasPrefix("GET storage.example/blobs/abc") == true)
    }

    @Test("a blob or manifest whose bytes don't match the digest is refused")
    func digestMismatch() async throws {
        let transport = ScriptedTransport { request in
            if request.url.path.contains("/blobs/") { return HTTPResponse(status: 200, body: Data("evil".utf8)) }
            return HTTPResponse(
                status: 200, headers: [("Content-Type", MediaType.ociManifest)],
                body: Data(#"{"schemaVersion":2,"layers":[]}"#.utf8))
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        await #expect(throws: ImageStoreError.self) { try await client.fetchBlob("a", digest: Self.manifest.digest) }
        await #expect(throws: ImageStoreError.self) {
            try await client.fetchManifest("a", reference: Self.manifest.digest.description)
        }
    }

    @Test("tag lists follow Link pagination, relative and absolute, in the registry's order")
    func pagination() async throws {
        let transport = ScriptedTransport { request in
            let query = request.url.query ?? ""
            if query.contains("last=b") {
                return .json(200, #"{"name":"a","tags":["c"]}"#)
            }
            if query.contains("last=z") {
                return .json(
                    200, #"{"name":"a","tags":["b"]}"#,
                    headers: [("Link", #"<https://registry.example/v2/a/tags/list?n=1&last=b>; rel="next""#)])
            }
            return .json(200, #"{"name":"a","tags":["z"]}"#, headers: [("Link", #"</v2/a/tags/list?n=1&last=z>; rel="next""#)])
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        #expect(try await client.listTags("a") == ["z", "b", "c"])
    }

    @Test("405 on delete names the registry's own API, and the tag is left untouched")
    func deleteUnsupported() async throws {
        let transport = ScriptedTransport { request in
            switch request.method {
            case "HEAD": return request.url.path.contains("/blobs/") ? HTTPResponse(status: 200) : Self.manifestResponse(request)
            case "PUT": return HTTPResponse(status: 201)
            case "DELETE": return .json(405, #"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#)
            default: return HTTPResponse(status: 500)
            }
        }
        let client = RegistryClient(host: "ghcr.io", transport: transport)
        await #expect {
            try await client.deleteTag("acme/api", tag: "v1")
        } throws: { error in
            let message = (error as? ImageStoreError)?.message ?? ""
            return message.contains("405 UNSUPPORTED") && message.contains("GitHub Packages REST API")
        }
        // Only the probe was pushed by digest; the tag itself was never overwritten.
        #expect(!transport.recorded.contains { $0.method == "PUT" && $0.url.path.hasSuffix("/manifests/v1") })
    }

    @Test("no password, token or auth value reaches an error message")
    func secretsStayOut() async throws {
        let transport = ScriptedTransport { request in
            if request.url.host == "auth.example" { return .json(200, #"{"token":"TOKEN-SECRET-123"}"#) }
            if request.header("Authorization") == nil {
                return HTTPResponse(
                    status: 401, headers: [("WWW-Authenticate", #"Bearer realm="https://auth.example/t",service="s""#)])
            }
            return .json(500, #"{"errors":[{"code":"UNKNOWN","message":"boom"}]}"#)
        }
        let client = RegistryClient(
            host: "registry.example", credentials: StaticCredentials(.basic(username: "user", password: "PASSWORD-SECRET")),
            transport: transport, retry: DelayLog().policy)
        do {
            _ = try await client.fetchManifest("a", reference: "v1")
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(
                !text.contains("PASSWORD-SECRET") && !text.contains("TOKEN-SECRET")
                    && !text.contains(Data("user:PASSWORD-SECRET".utf8).base64EncodedString()))
            #expect(text.contains("500 UNKNOWN"))
        }
        #expect(
            RegistryError.redacted(URL(string: "https://u:p@r.example/v2/a/blobs/uploads/x?_state=SECRET&digest=sha256:00")!)
                == "https://r.example/v2/a/blobs/uploads/x?_state=redacted&digest=sha256:00")
    }

    @Test("an upload broken half-way is restarted from a new session, never committed half")
    func uploadRestart() async throws {
        let blob = Data(repeating: 7, count: 3000)
        let digest = Digest.sha256(of: blob)
        let sessions = RequestCounterBox()
        let received = DataBox()
        let transport = ScriptedTransport { request in
            switch request.method {
            case "POST":
                return HTTPResponse(status: 202, headers: [("Location", "/v2/a/blobs/uploads/session-\(sessions.next())")])
            case "PATCH":
                if request.url.path.hasSuffix("session-1") && request.header("Content-Range") == "1024-2047" {
                    throw TransportError("connection reset by peer")
                }
                received.append(request.url.path, request.body ?? Data())
                return HTTPResponse(status: 202, headers: [("Location", request.url.path)])
            case "PUT":
                received.append(request.url.path, request.body ?? Data())
                #expect(request.url.path.hasSuffix("session-2"))
                #expect(received.bytes(for: request.url.path) == blob)
                return HTTPResponse(status: 201)
            default:
                return HTTPResponse(status: 500)
            }
        }
        let client = RegistryClient(host: "registry.example", transport: transport, retry: DelayLog().policy, chunkSize: 1024)
        try await client.pushBlob("a", digest: digest, data: blob)
        #expect(!transport.recorded.contains { $0.method == "PUT" && $0.url.path.hasSuffix("session-1") })
    }

    @Test("a HEAD without Docker-Content-Digest falls back to GET and hashes the bytes")
    func headFallback() async throws {
        let transport = ScriptedTransport { request in
            if request.method == "HEAD" { return HTTPResponse(status: 200, headers: [("Content-Type", MediaType.ociManifest)]) }
            #expect(request.header("Accept")?.contains(MediaType.ociIndex) == true)
            return HTTPResponse(status: 200, headers: [("Content-Type", MediaType.ociManifest)], body: Self.manifest.bytes)
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        #expect(try await client.resolve("a", reference: "v1")?.digest == Self.manifest.digest)
        #expect(transport.lines == ["HEAD registry.example/v2/a/manifests/v1", "GET registry.example/v2/a/manifests/v1"])
    }

    @Test("WWW-Authenticate headers with several challenges and quoted commas parse")
    func challengeParsing() {
        let parsed = AuthChallenge.parse(
            #"Basic realm="x, y", Bearer realm="https://a/t",service="s",scope="repository:a:pull,push""#)
        #expect(parsed.map(\.scheme) == ["basic", "bearer"])
        #expect(parsed[0].parameters["realm"] == "x, y")
        #expect(parsed[1].parameters["scope"] == "repository:a:pull,push")
    }

    @Test("scope sets merge actions per resource")
    func scopeUnion() {
        let merged = ScopeSet(["repository:a:pull", "repository:b:pull"]).union(
            ScopeSet(["repository:a:push", "registry:catalog:*"]))
        #expect(merged.parameters == ["registry:catalog:*", "repository:a:pull,push", "repository:b:pull"])
        #expect(merged.covers(ScopeSet(["repository:a:pull"])))
        #expect(!merged.covers(ScopeSet(["repository:c:pull"])))
    }
}

final class RequestCounterBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1; return value
        }
    }
}

/// Bytes received per upload session.
final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: [String: Data] = [:]
    func append(_ key: String, _ bytes: Data) { lock.withLock { data[key, default: Data()].append(bytes) } }
    func bytes(for key: String) -> Data { lock.withLock { data[key] ?? Data() } }
}
