import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve --anonymous-read: reads without a token as the viewer anonymous, never a change")
struct AnonymousReadTests {
    static var settings: ServerSettings {
        var settings = ServerSettings(externalURL: "https://berth.example")
        settings.anonymousRead = true
        return settings
    }

    @Test("off by default: a tokenless read of the API is 401 and of the board a redirect to the login page")
    func offByDefault() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        #expect(ServerSettings().anonymousRead == false)
        try await fixture.application(ServerSettings(externalURL: "https://berth.example")).test(.router) { client in
            for uri in ["/api/v1/board", "/api/v1/services/registry.example%2Facme%2Fapi/history", "/api/v1/holds?repository=x"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .unauthorized) }
            }
            for uri in ["/", "/services/registry.example%2Facme%2Fapi"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/login")
                }
            }
        }
    }

    @Test("on: the board, a history and the read API answer; the page says Sign in and has no action buttons")
    func reads() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        try await fixture.application(Self.settings).test(.router) { client in
            try await client.execute(uri: "/api/v1/board", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(ServerFixture.image))
            }
            try await client.execute(uri: "/api/v1/services/registry.example%2Facme%2Fapi/history", method: .get) {
                #expect($0.status == .ok)
            }
            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(page.contains("href=\"/login\">Sign in</a>"))
            #expect(page.contains("reading anonymously"))
            #expect(page.contains("0.1.0"))
            for action in ["<form", "Approve for", "Promote to", "Mark bad", "Hold ", "Sign out", "name=\"csrf\""] {
                #expect(!page.contains(action), "the anonymous board shows \(action)")
            }
            try await client.execute(uri: "/services/registry.example%2Facme%2Fapi", method: .get) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test("every state change without credentials is still 401 (API) or a redirect to login (forms); nothing is recorded")
    func writesRefused() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev", "staging"])
        let before = try await fixture.ledger.events(LedgerQuery()).count
        let json: HTTPFields = [.contentType: "application/json"]
        let approval = """
            {"repository":"\(ServerFixture.image)","version":"0.1.0","environment":"prod","digest":"\(digest)","reason":"r"}
            """
        try await fixture.application(Self.settings).test(.router) { client in
            for uri in [
                "/api/v1/approvals", "/api/v1/promotions", "/api/v1/rollbacks", "/api/v1/holds", "/api/v1/holds/release",
                "/api/v1/bad-marks", "/api/v1/tokens",
            ] {
                try await client.execute(uri: uri, method: .post, headers: json, body: ByteBuffer(string: approval)) {
                    #expect($0.status == .unauthorized, "\(uri)")
                    #expect($0.headers[.wwwAuthenticate] == "Bearer realm=\"berth\"")
                }
            }
            try await client.execute(uri: "/api/v1/tokens/0123456789ab", method: .delete) { #expect($0.status == .unauthorized) }
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "https://berth.example"]
            for uri in ["/approve", "/promote", "/hold", "/unhold", "/mark-bad"] {
                try await client.execute(
                    uri: uri, method: .post, headers: form,
                    body: ByteBuffer(string: "repository=x&version=0.1.0&environment=prod&digest=\(digest)&reason=r")
                ) { response in
                    #expect(response.status == .seeOther, "\(uri)")
                    #expect(response.headers[.location] == "/login")
                }
            }
        }
        #expect(try await fixture.ledger.events(LedgerQuery()).count == before)
    }

    @Test("reads that need more than a viewer ask for credentials (401), /metrics is never anonymous, a bad token is still 401")
    func higherReads() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        try await fixture.application(Self.settings).test(.router) { client in
            try await client.execute(uri: "/api/v1/tokens", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"berth\"")
            }
            try await client.execute(uri: "/api/v1/webhooks/deliveries", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/webhooks", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer("berth_nonsense")) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test("a signed-in viewer still reads as themself and an approver still sees Approve under --anonymous-read")
    func tokensStillWork() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, approver) = try await fixture.token(.approver, name: "alice")
        try await fixture.application(Self.settings).test(.router) { client in
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: .bearer(approver)).body)
            #expect(page.contains("signed in as <b>alice</b>"))
            #expect(page.contains("Approve for prod"))
            #expect(!page.contains(approver))
        }
    }

    @Test("--anonymous-read with --auth none is refused in one line")
    func notWithNone() throws {
        var settings = ServerSettings(authentication: .none)
        settings.anonymousRead = true
        #expect(throws: BerthError.self) { try settings.check(listening: try ListenAddress(parsing: "127.0.0.1:8080")) }
        do {
            try settings.check(listening: try ListenAddress(parsing: "127.0.0.1:8080"))
        } catch {
            #expect(error.message.contains("--anonymous-read with --auth none") && !error.message.contains("\n"))
        }
    }
}
