import BerthTestSupport
import Foundation
import Testing

/// `berth registry` against a registry serving TLS with a private CA, as a user meets it.
@Suite(
    "berth and a registry with a private CA", .requires(.dockerRegistry, .openssl),
    .enabled(if: TestCertificate.nonLoopbackIPv4 != nil, "this machine has no IPv4 address outside 127.0.0.0/8"))
struct TLSCLITests {
    @Test("untrusted: exit 1, one line with what to do; SSL_CERT_FILE=ca.pem: the same command works")
    func privateCA() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-tls-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = try TestCertificate(address: try #require(TestCertificate.nonLoopbackIPv4), in: directory)
        let registry = try RegistryServer(tls: certificate)
        defer { registry.stop() }
        let cli = try CLIHarness()
        let refused = try cli.run(["registry", "ls", "\(registry.host)/acme/api"], in: "/")
        #expect(refused.status == 1, "\(refused.stderr)")
        let lines = refused.stderr.split(separator: "\n")
        #expect(
            lines.count == 1 && lines.first?.hasPrefix("berth: error: GET https://\(registry.host)/") == true, "\(refused.stderr)"
        )
        #expect(refused.stderr.contains("not signed by a CA this machine trusts") && refused.stderr.contains("SSL_CERT_FILE="))
        let trusted = try cli.run(
            ["registry", "ls", "\(registry.host)/acme/api"], in: "/", environment: ["SSL_CERT_FILE": certificate.certificate])
        // Trusted: the registry answers, and the repository doesn't exist yet.
        #expect(trusted.status == 1 && trusted.stderr.contains("NAME_UNKNOWN"), "\(trusted.stderr)")
    }
}
