import BerthCore
import BerthOCI
import Foundation
import Testing

@testable import BerthRegistry

/// Plain http only for a registry on this machine, decided on the address: a DNS name that starts with
/// `127.` is somebody else's host, reached over https, and credentials never cross plain http to it.
extension ScriptedRegistryTests {
    /// A registry that wants Basic credentials, recording whether each request carried them.
    static func basicRegistry() -> ScriptedTransport {
        ScriptedTransport { request in
            guard request.header("Authorization") != nil else {
                return HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="registry""#)])
            }
            return Self.manifestResponse(request)
        }
    }

    static let password = StaticCredentials(.basic(username: "me", password: "secret"))

    @Test(
        "a registry named 127.example.test uses https, and its password goes only over https",
        arguments: ["127.example.test", "127.example.test:5000", "127.0.0.1.nip.io:5000"])
    func namedLikeLoopback(host: String) async throws {
        let transport = Self.basicRegistry()
        let client = RegistryClient(host: host, credentials: Self.password, transport: transport)
        #expect(client.baseURL.scheme == "https")
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        #expect(transport.recorded.count == 2)
        #expect(transport.recorded.allSatisfy { $0.url.scheme == "https" }, "\(transport.recorded.map(\.url))")
        #expect(transport.recorded.last?.header("Authorization")?.hasPrefix("Basic ") == true)
    }

    @Test("--insecure is the only way to plain http, and to credentials over it, for a host that isn't loopback")
    func insecureOptIn() async throws {
        let transport = Self.basicRegistry()
        let client = RegistryClient(host: "127.example.test", credentials: Self.password, transport: transport, insecure: true)
        #expect(client.baseURL.absoluteString == "http://127.example.test")
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        #expect(transport.recorded.last?.url.scheme == "http")
        #expect(transport.recorded.last?.header("Authorization") != nil)
    }

    @Test("a redirect to plain http on a host named 127.… carries no credentials and gets no password")
    func noCredentialsAfterDowngrade() async throws {
        let transport = ScriptedTransport { request in
            if request.url.scheme == "http" {
                return HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="registry""#)])
            }
            guard request.header("Authorization") != nil else {
                return HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="registry""#)])
            }
            return HTTPResponse(status: 307, headers: [("Location", "http://127.example.test/v2/acme/api/manifests/v1")])
        }
        let client = RegistryClient(host: "127.example.test", credentials: Self.password, transport: transport)
        await #expect(throws: (any Error).self) { try await client.fetchManifest("acme/api", reference: "v1") }
        let plain = transport.recorded.filter { $0.url.scheme == "http" }
        #expect(!plain.isEmpty, "the redirect was followed")
        #expect(plain.allSatisfy { $0.header("Authorization") == nil }, "credentials went over plain http")
    }

    @Test("a Basic challenge answered over plain http to a host named 127.… is refused without --insecure")
    func basicOverHTTPRefused() async throws {
        let transport = Self.basicRegistry()
        let authenticator = RegistryAuthenticator(
            host: "127.example.test", credentials: Self.password, transport: transport, allowInsecure: false)
        let challenge = HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="registry""#)])
        let url = try #require(URL(string: "http://127.example.test/v2/"))
        await #expect {
            _ = try await authenticator.respond(
                to: challenge, scopes: ScopeSet(), request: HTTPRequest(method: "GET", url: url), sent: nil)
        } throws: { error in
            (error as? ImageStoreError)?.message.contains("plain http") == true
        }
        // On loopback, decided on the address, the same challenge is answered.
        let loopback = try #require(URL(string: "http://[::1]:5000/v2/"))
        let header = try await authenticator.respond(
            to: challenge, scopes: ScopeSet(), request: HTTPRequest(method: "GET", url: loopback), sent: nil)
        #expect(header.hasPrefix("Basic "))
    }

    @Test("credentials never go to a token realm over plain http on a host named 127.…")
    func realmNamedLikeLoopback() async throws {
        let transport = ScriptedTransport { _ in
            HTTPResponse(
                status: 401, headers: [("WWW-Authenticate", #"Bearer realm="http://127.example.test/token",service="r""#)])
        }
        let client = RegistryClient(host: "registry.example", credentials: Self.password, transport: transport)
        await #expect {
            try await client.fetchManifest("acme/api", reference: "v1")
        } throws: { error in
            (error as? ImageStoreError)?.message.contains("plain http") == true
        }
        #expect(!transport.lines.contains { $0.contains("127.example.test") })
    }

    @Test(
        "loopback registries, spelled as addresses, get plain http; every other host https",
        arguments: [
            ("127.0.0.1:5000", "http://127.0.0.1:5000"), ("[::1]:5000", "http://[::1]:5000"),
            ("localhost:5000", "http://localhost:5000"), ("127.1.2.3", "http://127.1.2.3"),
            ("127.example.test", "https://127.example.test"), ("localhost.example", "https://localhost.example"),
            ("10.0.0.1:5000", "https://10.0.0.1:5000"), ("docker.io", "https://registry-1.docker.io"),
        ])
    func schemes(host: String, base: String) {
        #expect(
            RegistryClient(host: host, transport: ScriptedTransport { _ in HTTPResponse(status: 200) }).baseURL.absoluteString
                == base)
    }

    @Test("the IPv6 loopback registry gets its credentials over plain http")
    func ipv6Loopback() async throws {
        let transport = Self.basicRegistry()
        let client = RegistryClient(host: "[::1]:5000", credentials: Self.password, transport: transport)
        _ = try await client.fetchManifest("acme/api", reference: "v1")
        #expect(transport.recorded.last?.url.absoluteString == "http://[::1]:5000/v2/acme/api/manifests/v1")
        #expect(transport.recorded.last?.header("Authorization") != nil)
    }

    @Test(
        "a host that isn't an address fails every request as bad input, before anything is sent",
        arguments: ["localhost:-1", "localhost:+80", "localhost:1e3", "localhost:99999", "localhost:0", "host:", "[::1"])
    func invalidHost(host: String) async throws {
        let transport = ScriptedTransport { _ in HTTPResponse(status: 200) }
        let client = RegistryClient(host: host, transport: transport)
        await #expect {
            try await client.listTags("acme/api")
        } throws: { error in
            guard let error = error as? ImageStoreError else { return false }
            return error.kind == .invalid && error.message.hasPrefix("registry host '\(host)': ")
                && error.berthError.kind == .badInput
        }
        await #expect(throws: ImageStoreError.self) { try await client.ping() }
        await #expect(throws: ImageStoreError.self) { try await client.catalog() }
        #expect(transport.recorded.isEmpty)
    }
}
