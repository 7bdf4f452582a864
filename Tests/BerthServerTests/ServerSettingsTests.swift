import BerthCore
import BerthServer
import Testing

@Suite("berth serve: listen addresses, base paths, external URLs, token shapes")
struct ServerSettingsTests {
    @Test(
        "loopback is decided on the parsed address",
        arguments: [
            ("127.0.0.1:8080", true), ("127.1.2.3:80", true), ("[::1]:8080", true), ("localhost:8080", true),
            ("0.0.0.0:8080", false), ("10.0.0.5:8080", false), ("127.example.test:8080", false), ("[::]:8080", false),
        ])
    func loopback(_ text: String, _ expected: Bool) throws {
        #expect(try ListenAddress(parsing: text).isLoopback == expected)
    }

    @Test("port 0 asks for a free port; an address without a port, or with a bad one, is a usage error")
    func ports() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:0").port == 0)
        #expect(try ListenAddress(parsing: "[::1]:9000").host == "::1")
        for text in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:-1", ":8080", "http://127.0.0.1:80"] {
            #expect(throws: BerthError.self, "\(text)") { try ListenAddress(parsing: text) }
        }
    }

    @Test("base paths and external URLs are checked")
    func paths() throws {
        #expect(try ServerSettings.basePath("/berth/") == "/berth")
        #expect(try ServerSettings.basePath("/") == "")
        for text in ["berth", "/a/../b", "/a b", "/<x>", "/a//b"] {
            #expect(throws: BerthError.self, "\(text)") { try ServerSettings.basePath(text) }
        }
        #expect(try ServerSettings.externalURL("https://berth.example/berth/") == "https://berth.example/berth")
        for text in ["ftp://x", "https://u:p@x", "https://x/?a=1", "javascript:alert(1)"] {
            #expect(throws: BerthError.self, "\(text)") { try ServerSettings.externalURL(text) }
        }
    }

    @Test("roles include the ones before them; a scoped token changes its environment only")
    func roles() {
        let token = AccessToken(
            id: "0123456789ab", name: "a", role: .approver, environment: "prod", expires: 100, created: 0, createdBy: "x",
            hash: "")
        #expect(token.allows(.viewer) && token.allows(.approver, environment: "prod"))
        #expect(!token.allows(.approver, environment: "dev") && !token.allows(.promoter, environment: "prod"))
        #expect(token.isUsable(at: 100) && !token.isUsable(at: 101))
        #expect(AccessToken.constantTimeEqual("sha256:ab", "sha256:ab") && !AccessToken.constantTimeEqual("a", "ab"))
        #expect(AccessToken.id(of: "berth_0123456789ab_" + String(repeating: "f", count: 64)) == "0123456789ab")
        #expect(AccessToken.id(of: "berth_0123456789AB_" + String(repeating: "f", count: 64)) == nil)
    }
}
