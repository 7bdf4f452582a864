import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `HTTPField`, which Hummingbird doesn't re-export by that name.
typealias Field = HTTPFields.Element

@Suite("berth serve --auth proxy: a trusted proxy's identity header, roles from berth.yaml, CSRF on its forms")
struct ProxyAccessTests {
    static let origin = "https://berth.example"

    /// Proxy mode trusting `trusted`: carol is an admin, the platform group promotes, alice approves prod only;
    /// anyone else reads, or is refused when `unmapped` is nil.
    static func settings(trusting trusted: [String], unmapped: AccessRole? = .viewer) -> ServerSettings {
        var settings = ServerSettings(externalURL: origin, authentication: .proxy)
        settings.proxy = ProxyAccess(
            trusted: trusted.compactMap(NetworkRange.init), groupsHeader: "X-Forwarded-Groups",
            grants: [
                .init(.user("carol"), role: .admin), .init(.group("platform"), role: .promoter),
                .init(.user("alice@example.com"), role: .approver, environment: "prod"),
            ],
            unmappedRole: unmapped)
        return settings
    }

    /// `localhost` on this machine: the live test server's peers.
    static let loopback = ["127.0.0.1", "::1"]

    static func user(_ name: String, groups: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [Field.Name("X-Forwarded-User")!: name]
        if let groups { fields[Field.Name("X-Forwarded-Groups")!] = groups }
        return fields
    }

    func field(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test(
        "from a trusted peer: the header's user reads the board; an unmapped user is a viewer; roles come from users and groups")
    func trustedPeer() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        try await fixture.application(Self.settings(trusting: Self.loopback)).test(.live) { client in
            try await client.execute(uri: "/api/v1/board", method: .get, headers: Self.user("bob")) {
                #expect($0.status == .ok)
            }
            let bob = String(buffer: try await client.execute(uri: "/", method: .get, headers: Self.user("bob")).body)
            #expect(bob.contains("signed in as <b>bob</b> (viewer, through the proxy)"))
            #expect(!bob.contains("Approve for") && !bob.contains("Promote to"))
            let alice = String(
                buffer: try await client.execute(uri: "/", method: .get, headers: Self.user("alice@example.com")).body)
            #expect(alice.contains("(approver, through the proxy)") && alice.contains("Approve for prod"))
            let dave = String(
                buffer: try await client.execute(uri: "/", method: .get, headers: Self.user("dave", groups: "dev, platform")).body
            )
            #expect(dave.contains("(promoter, through the proxy)") && dave.contains("Promote to"))
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: Self.user("carol")) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: Self.user("dave", groups: "platform")) {
                #expect($0.status == .forbidden)
            }
        }
    }

    @Test("a spoofed identity header from a peer that is not a trusted proxy gives no identity: 401, or the token's own")
    func spoofedHeader() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, viewer) = try await fixture.token(.viewer, name: "bob")
        // The live server's peer is loopback; only 10.9.8.7 is trusted.
        try await fixture.application(Self.settings(trusting: ["10.9.8.7", "192.168.0.0/16"])).test(.live) { client in
            try await client.execute(uri: "/api/v1/board", method: .get, headers: Self.user("carol")) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: Self.user("carol")) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/", method: .get, headers: Self.user("carol")) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            var headers = Self.user("carol")
            headers[.authorization] = "Bearer \(viewer)"
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: headers) { #expect($0.status == .forbidden) }
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: headers).body)
            #expect(page.contains("signed in as <b>bob</b> (viewer)") && !page.contains("carol"))
        }
        #expect(fixture.logs.text.contains("ignored an identity header from a peer that is not a trusted proxy"))
        // The in-process router has no peer address at all: never trusted either.
        try await fixture.application(Self.settings(trusting: Self.loopback)).test(.router) { client in
            try await client.execute(uri: "/api/v1/board", method: .get, headers: Self.user("carol")) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test("a proxy user's board form records the action as that user, with the page's CSRF cookie and the same origin")
    func approveThroughTheProxy() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev", "staging"])
        try await fixture.application(Self.settings(trusting: Self.loopback)).test(.live) { client in
            let response = try await client.execute(uri: "/", method: .get, headers: Self.user("alice@example.com"))
            let cookie = String(try #require(response.headers[.setCookie]).prefix { $0 != ";" })
            #expect(cookie.hasPrefix("berth_csrf="))
            #expect(response.headers[.setCookie]?.contains("HttpOnly; SameSite=Lax; Secure") == true)
            let page = String(buffer: response.body)
            let csrf = try #require(field("csrf", in: page))
            #expect(cookie == "berth_csrf=\(csrf)")
            let fields = [
                "repository": ServerFixture.image, "version": "0.1.0", "environment": "prod", "digest": digest.description,
                "gate": try #require(field("gate", in: page)), "reason": "sso approval", "csrf": csrf,
            ]
            let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                .joined(separator: "&")
            func post(cookie: String?, origin: String?, user: String = "alice@example.com") async throws -> TestResponse {
                var headers = Self.user(user)
                headers[.contentType] = "application/x-www-form-urlencoded"
                if let cookie { headers[.cookie] = cookie }
                if let origin { headers[.origin] = origin }
                return try await client.execute(uri: "/approve", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            // No Origin, another site's, no CSRF cookie, another browser's cookie: refused.
            #expect(try await post(cookie: cookie, origin: nil).status == .forbidden)
            #expect(try await post(cookie: cookie, origin: "https://evil.example").status == .forbidden)
            #expect(try await post(cookie: nil, origin: Self.origin).status == .forbidden)
            #expect(
                try await post(cookie: "berth_csrf=" + String(repeating: "ab", count: 32), origin: Self.origin).status
                    == .forbidden)
            // The JSON API takes bearer tokens only: a proxy identity rides along with any cross-site request.
            var json = Self.user("alice@example.com")
            json[.contentType] = "application/json"
            try await client.execute(
                uri: "/api/v1/approvals", method: .post, headers: json,
                body: ByteBuffer(
                    string:
                        "{\"repository\":\"\(ServerFixture.image)\",\"version\":\"0.1.0\",\"environment\":\"prod\",\"digest\":\"\(digest)\",\"reason\":\"r\"}"
                )
            ) { #expect($0.status == .forbidden) }
            #expect(try await fixture.ledger.events(LedgerQuery(repository: ServerFixture.image, kinds: [.approved])).isEmpty)
            let done = try await post(cookie: cookie, origin: Self.origin)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location]?.hasPrefix("/?approved=") == true)
        }
        let approvals = try await fixture.ledger.events(LedgerQuery(repository: ServerFixture.image, kinds: [.approved]))
        #expect(approvals.count == 1)
        #expect(approvals.last?.actor == "alice@example.com" && approvals.last?.digest == digest.description)
    }

    @Test("unmapped users refused when berth.yaml says so; a header sent twice, or a name berth won't record, is refused")
    func refusals() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        try await fixture.application(Self.settings(trusting: Self.loopback, unmapped: nil)).test(.live) { client in
            try await client.execute(uri: "/api/v1/board", method: .get, headers: Self.user("mallory")) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("server.proxy.roles"))
            }
            try await client.execute(uri: "/", method: .get, headers: Self.user("mallory")) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/board", method: .get, headers: Self.user("dave", groups: "platform")) {
                #expect($0.status == .ok)
            }
            var twice = Self.user("bob")
            twice.append(Field(name: Field.Name("X-Forwarded-User")!, value: "carol"))
            try await client.execute(uri: "/api/v1/board", method: .get, headers: twice) { #expect($0.status == .badRequest) }
            var groups = Self.user("dave", groups: "dev")
            groups.append(Field(name: Field.Name("X-Forwarded-Groups")!, value: "platform"))
            try await client.execute(uri: "/api/v1/board", method: .get, headers: groups) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/board", method: .get, headers: Self.user("<script>")) { response in
                #expect(response.status == .forbidden)
                #expect(!String(buffer: response.body).contains("<script>"))
            }
        }
    }

    @Test("proxy settings refused in one line: no trusted proxy, one trusting everyone, no external URL; none off loopback")
    func settingsChecks() throws {
        let address = try ListenAddress(parsing: "0.0.0.0:8080")
        var settings = ServerSettings(externalURL: Self.origin, authentication: .proxy)
        settings.proxy = ProxyAccess()
        #expect(throws: BerthError.self) { try settings.check(listening: address) }
        settings.proxy = ProxyAccess(trusted: [NetworkRange("0.0.0.0/0")!])
        do {
            try settings.check(listening: address)
            Issue.record("a proxy trusting every address was accepted")
        } catch {
            #expect(error.message.contains("trusts every address") && !error.message.contains("\n"))
        }
        settings.proxy = ProxyAccess(trusted: [NetworkRange("10.0.0.5")!])
        try settings.check(listening: address)
        settings.externalURL = nil
        #expect(throws: BerthError.self) { try settings.check(listening: address) }
        #expect(throws: BerthError.self) { try ServerSettings(authentication: .none).check(listening: address) }
        try ServerSettings(authentication: .none).check(listening: try ListenAddress(parsing: "[::1]:0"))
    }
}
