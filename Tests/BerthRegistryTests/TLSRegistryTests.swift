import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

/// A real Docker Distribution serving https with a self-signed certificate on this machine's
/// non-loopback address (berth speaks https to any registry that isn't loopback): berth verifies TLS,
/// never retries a certificate it can't trust, and trusts a private CA through SSL_CERT_FILE/SSL_CERT_DIR.
@Suite(
    "TLS to a real registry", .requires(.dockerRegistry, .openssl),
    .enabled(if: TestCertificate.nonLoopbackIPv4 != nil, "this machine has no IPv4 address outside 127.0.0.0/8"))
struct TLSRegistryTests {
    struct Setup {
        let directory: String
        let registry: RegistryServer
        let certificate: TestCertificate

        /// A TLS registry whose certificate is for `names` (its own address when nil).
        init(names: [String]? = nil) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-tls-\(UUID().uuidString)").path
            let address = try #require(TestCertificate.nonLoopbackIPv4)
            certificate = try TestCertificate(address: address, names: names, in: directory)
            registry = try RegistryServer(tls: certificate)
        }

        func stop() {
            registry.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func client(_ transport: AsyncHTTPClientTransport) -> RegistryClient {
            RegistryClient(host: registry.host, transport: transport, retry: RetryPolicy(baseDelay: .milliseconds(10)))
        }
    }

    /// Runs `body` with a transport of its own built from `environment`, then shuts it down.
    static func withTransport<T>(
        _ environment: [String: String], _ body: (AsyncHTTPClientTransport) async throws -> T
    ) async throws -> T {
        let transport = AsyncHTTPClientTransport(environment: environment)
        do {
            let result = try await body(transport)
            try await transport.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    @Test("a self-signed certificate is refused at once (no retry), in words, with what to do")
    func untrusted() async throws {
        let setup = try Setup()
        defer { setup.stop() }
        try await Self.withTransport([:]) { transport in
            let client = setup.client(transport)
            let error = await #expect(throws: ImageStoreError.self) { try await client.listTags("acme/api") }
            #expect(error?.kind == .untrusted)
            #expect(
                error?.message.hasPrefix(
                    "GET https://\(setup.registry.host)/v2/acme/api/tags/list?n=1000: the registry's TLS certificate is not signed by a CA this machine trusts; "
                ) == true, "\(String(describing: error))")
            #expect(error?.message.contains("SSL_CERT_FILE=ca.pem") == true && error?.message.contains("\n") == false)
            #expect(client.requestCount == 1)
        }
    }

    @Test("SSL_CERT_FILE, or a directory in SSL_CERT_DIR, holding the CA makes the registry trusted")
    func trustedThroughEnvironment() async throws {
        let setup = try Setup()
        defer { setup.stop() }
        let image = try await Self.withTransport(["SSL_CERT_FILE": setup.certificate.certificate]) { transport in
            let client = setup.client(transport)
            let pushed = try await TestImages.push(into: client, repository: "acme/api", tag: "v1", seed: "tls")
            #expect(try await client.listTags("acme/api") == ["v1"])
            return pushed
        }
        // The directory also holds the key, which is skipped as Go skips what doesn't parse.
        try await Self.withTransport(["SSL_CERT_DIR": setup.directory]) { transport async throws -> Void in
            let resolved = try await setup.client(transport).resolve("acme/api", reference: "v1")
            #expect(resolved?.digest == image.digest)
        }
    }

    @Test("a trusted certificate for another address is refused as not issued for this host")
    func wrongHost() async throws {
        let setup = try Setup(names: ["192.0.2.123"])
        defer { setup.stop() }
        try await Self.withTransport(["SSL_CERT_FILE": setup.certificate.certificate]) { transport in
            let client = setup.client(transport)
            let error = await #expect(throws: ImageStoreError.self) { try await client.listTags("acme/api") }
            #expect(error?.kind == .untrusted && client.requestCount == 1)
            #expect(
                error?.message.contains("the registry's TLS certificate is not issued for this host name") == true,
                "\(String(describing: error))")
        }
    }

    @Test(
        "SSL_CERT_FILE or SSL_CERT_DIR that can't be read is one line naming it, before any connection",
        arguments: [
            (["SSL_CERT_FILE": "/nonexistent/ca.pem"], "SSL_CERT_FILE=/nonexistent/ca.pem can't be read"),
            (["SSL_CERT_FILE": "/etc/os-release"], "SSL_CERT_FILE=/etc/os-release holds no PEM certificate"),
            (["SSL_CERT_DIR": "/nonexistent"], "SSL_CERT_DIR names /nonexistent, which can't be read"),
        ])
    func unreadableTrust(environment: [String: String], message: String) async throws {
        try await Self.withTransport(environment) { transport in
            let client = RegistryClient(host: "192.0.2.1:5000", transport: transport)
            let error = await #expect(throws: ImageStoreError.self) { try await client.listTags("acme/api") }
            #expect(error?.kind == .untrusted && error?.message.contains(message) == true, "\(String(describing: error))")
            #expect(error?.message.contains("--insecure") == false)
        }
    }
}
