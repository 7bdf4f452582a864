import BerthOCI
import Testing

@Suite("registry hosts")
struct RegistryHostTests {
    @Test(
        "valid hosts parse to an address and a port",
        arguments: [
            ("registry.example", nil), ("registry.example:5000", 5000), ("127.0.0.1:5000", 5000), ("[::1]:5000", 5000),
            ("localhost:5000", 5000), ("ghcr.io", nil), ("localhost", nil), ("[::1]", nil), ("REGISTRY.Example:1", 1),
            ("registry.example:65535", 65535), ("[2001:db8::1]:443", 443), ("[::ffff:10.0.0.1]", nil), ("10.0.0.1", nil),
            ("a-b.c-d.example", nil), ("127.0.0.1.nip.io:8080", 8080),
        ] as [(String, Int?)])
    func valid(text: String, port: Int?) throws {
        let host = try #require(RegistryHost(text), "\(RegistryHost.violation(in: text) ?? "")")
        #expect(host.port == port)
        #expect(host.description == text)
        #expect(RegistryHost.violation(in: text) == nil)
    }

    @Test(
        "anything else is refused, with a reason",
        arguments: [
            "localhost:-1", "localhost:+80", "localhost:1e3", "localhost:99999", "localhost:0", "host:", ":5000", "[::1",
            "a..b", "-a.example", "localhost:65536", "localhost:080", "localhost:0x50", "localhost: 80",
            "localhost:18446744073709551617",
            "[::1]:", "[::1]5000", "[::1]:-1", "::1", "::1:5000", "[fe80::1%eth0]", "[1::2::3]", "[12345::]", "[::g]",
            "127.1", "0177.0.0.1", "256.0.0.1", "2130706433", "a_b.example", "a.example.", ".example", "example-.com", "",
            "host:80:80", "ex ample", "ëxample.com", String(repeating: "a", count: 64) + ".example",
        ])
    func invalid(text: String) {
        #expect(RegistryHost(text) == nil)
        #expect(RegistryHost.violation(in: text)?.isEmpty == false)
    }

    @Test("the port is range-checked, never wrapped: 99999 is not 34463")
    func portNotWrapped() {
        #expect(RegistryHost("localhost:99999") == nil)
        #expect(RegistryHost.violation(in: "localhost:99999")?.contains("1–65535") == true)
        #expect(RegistryHost("localhost:34463")?.port == 34463)
    }

    @Test(
        "loopback is decided on the address: 127.0.0.0/8, ::1 and the name localhost",
        arguments: [
            ("127.0.0.1", true), ("127.1.2.3:80", true), ("[::1]:5000", true), ("localhost", true), ("localhost:5000", true),
            ("LocalHost", true), ("[0:0:0:0:0:0:0:1]", true), ("::1", true), ("127.255.255.255", true),
            ("127.example.test", false), ("127.example.test:5000", false), ("127.0.0.1.nip.io", false),
            ("localhost.example", false), ("10.0.0.1", false), ("api.localhost", false), ("128.0.0.1", false),
            ("[::2]", false), ("::", false), ("127.1", false), ("localhost:-1", false), ("", false),
        ])
    func loopback(text: String, expected: Bool) {
        #expect(RegistryHost.isLoopback(text) == expected)
        if let host = RegistryHost(text) { #expect(host.isLoopback == expected) }
    }

    @Test("the authority for a URL keeps IPv6 brackets and the port")
    func authority() {
        #expect(RegistryHost("[::1]:5000")?.authority == "[::1]:5000")
        #expect(RegistryHost("registry.example")?.authority == "registry.example")
        #expect(RegistryHost("127.0.0.1:5000")?.authority == "127.0.0.1:5000")
    }

    @Test(
        "image references refuse a bad registry host, naming the reference and the host",
        arguments: [
            "localhost:-1/a/b", "localhost:+80/a/b", "localhost:1e3/a/b", "localhost:99999/a", "localhost:0/a", "host:/x",
            ":5000/a", "[::1/a", "a..b/x", "-a.example/x", "::1/a",
        ])
    func badReferenceHost(text: String) {
        #expect {
            try ImageReference(parsing: text)
        } throws: { error in
            guard let error = error as? OCIError, case .invalidReference(let input, let reason) = error else { return false }
            return input == text && reason.hasPrefix("registry host '") && !error.description.contains("\n")
        }
    }

    @Test("image references keep a valid host as written, IPv6 included")
    func goodReferenceHost() throws {
        let v6 = try ImageReference(parsing: "[::1]:5000/acme/api:v1")
        #expect(v6.store == .registry("[::1]:5000") && v6.repository == "acme/api" && v6.tag == "v1")
        let v4 = try ImageReference(parsing: "127.0.0.1:5000/api")
        #expect(v4.store == .registry("127.0.0.1:5000") && v4.repository == "api")
        #expect(try ImageReference(parsing: "localhost/api").store == .registry("localhost"))
        #expect(try ImageReference(parsing: "api").store == .registry(ImageReference.dockerHub))
    }
}
