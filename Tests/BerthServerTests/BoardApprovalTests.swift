import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: approving from the board page (session cookie, CSRF, same origin)")
struct BoardApprovalTests {
    static let settings = ServerSettings(externalURL: "https://berth.example")
    static let origin = "https://berth.example"

    /// Signs in with `token`; the cookie's name=value.
    func signIn(_ client: some TestClientProtocol, token: String) async throws -> String {
        let login = try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: Self.origin],
            body: ByteBuffer(string: "token=\(token)"))
        return String(try #require(login.headers[.setCookie]).prefix { $0 != ";" })
    }

    /// The value of the hidden field `name` in `page`.
    func field(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    func post(_ client: some TestClientProtocol, cookie: String, origin: String?, fields: [String: String]) async throws
        -> TestResponse
    {
        var headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        return try await client.execute(uri: "/approve", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test(
        "an approver's page shows Approve for the next environment; the form records an approval bound to the digest, as the token's holder"
    )
    func approveFromThePage() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, token) = try await fixture.token(.approver, name: "alice", environment: "prod")
        try await fixture.application(Self.settings).test(.router) { client in
            let cookie = try await signIn(client, token: token)
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(page.contains("Approve for prod"))
            #expect(!page.contains(token))
            let csrf = try #require(field("csrf", in: page))
            #expect(csrf.hasPrefix("sha256:"))
            #expect(field("digest", in: page) == digest.description)
            let fields = [
                "repository": ServerFixture.image, "version": "0.1.0", "environment": "prod", "digest": digest.description,
                "gate": try #require(field("gate", in: page)), "reason": "hotfix for #812", "csrf": csrf,
            ]
            let done = try await post(client, cookie: cookie, origin: Self.origin, fields: fields)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location]?.hasPrefix("/?approved=") == true)
            let after = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(after.contains("approved for prod by alice") && !after.contains("Approve for prod"))
        }
        let approvals = try await fixture.ledger.events(LedgerQuery(repository: ServerFixture.image, kinds: [.approved]))
        #expect(approvals.last?.actor == "alice" && approvals.last?.digest == digest.description)
        #expect(approvals.last?.reason == "hotfix for #812")
    }

    @Test("a cross-origin post, a missing or wrong CSRF token, a stale gate decision and a viewer's crafted post change nothing")
    func refusals() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, approver) = try await fixture.token(.approver, name: "alice")
        let (_, viewer) = try await fixture.token(.viewer, name: "bob")
        try await fixture.application(Self.settings).test(.router) { client in
            let cookie = try await signIn(client, token: approver)
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            let csrf = try #require(field("csrf", in: page))
            let gate = try #require(field("gate", in: page))
            let fields = [
                "repository": ServerFixture.image, "version": "0.1.0", "environment": "prod", "digest": digest.description,
                "gate": gate, "reason": "r", "csrf": csrf,
            ]
            #expect(try await post(client, cookie: cookie, origin: "https://evil.example", fields: fields).status == .forbidden)
            #expect(try await post(client, cookie: cookie, origin: nil, fields: fields).status == .forbidden)
            var without = fields
            without["csrf"] = nil
            #expect(try await post(client, cookie: cookie, origin: Self.origin, fields: without).status == .forbidden)
            var wrong = fields
            wrong["csrf"] = "sha256:" + String(repeating: "0", count: 64)
            #expect(try await post(client, cookie: cookie, origin: Self.origin, fields: wrong).status == .forbidden)
            var stale = fields
            stale["gate"] = String((Int(gate) ?? 0) - 1)
            #expect(try await post(client, cookie: cookie, origin: Self.origin, fields: stale).status == .conflict)

            let viewerCookie = try await signIn(client, token: viewer)
            let viewerPage = String(
                buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: viewerCookie]).body)
            #expect(!viewerPage.contains("Approve for prod") && viewerPage.contains("needs approval for prod"))
            var crafted = fields
            // The viewer's own session CSRF token: the role still refuses.
            crafted["csrf"] = AccessToken.hash(of: "berth-csrf:" + viewer)
            #expect(try await post(client, cookie: viewerCookie, origin: Self.origin, fields: crafted).status == .forbidden)
        }
        #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.approved])).isEmpty)
    }

    @Test("the board JSON shows each cell's next environment and whether it awaits an approval")
    func candidate() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, token) = try await fixture.token(.viewer)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(token))
            let board = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let cells = (board?["services"] as? [[String: Any]])?.first?["cells"] as? [[String: Any]] ?? []
            let staging = cells[1]["next"] as? [String: Any]
            #expect(staging?["environment"] as? String == "prod")
            #expect(staging?["awaitsApproval"] as? Bool == true)
            #expect((staging?["gate"] as? [String: Any])?["outcome"] as? String == "needs-approval")
            #expect((cells[0]["next"] as? [String: Any])?["awaitsApproval"] as? Bool == false)
            #expect(cells[2]["next"] == nil)
        }
    }

    @Test(
        "a promoter's Promote button is disabled with the reason while the gate says no, a crafted post can't force it, and it promotes once approved"
    )
    func promoteFromThePage() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, promoter) = try await fixture.token(.promoter, name: "erin")
        let (_, approver) = try await fixture.token(.approver, name: "alice")
        try await fixture.application(Self.settings).test(.router) { client in
            let cookie = try await signIn(client, token: promoter)
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(page.contains("disabled>Promote to prod →") && page.contains("needs an approval for prod"))
            #expect(!page.contains("Promote to staging"), "staging already runs the digest")
            let fields = [
                "repository": ServerFixture.image, "version": "0.1.0", "environment": "prod", "digest": digest.description,
                "csrf": try #require(field("csrf", in: page)),
            ]
            let forced = try await client.execute(
                uri: "/promote", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded", .origin: Self.origin],
                body: ByteBuffer(string: fields.map { "\($0.key)=\($0.value)" }.joined(separator: "&")))
            #expect(forced.status == .conflict, "the server asks the promotion service, not the button")
            #expect(try await fixture.ledger.events(LedgerQuery(environment: "prod", kinds: [.promoted])).isEmpty)

            let approval = ByteBuffer(
                string: """
                    {"repository": "\(ServerFixture.image)", "version": "0.1.0", "environment": "prod", "digest": "\(digest)", "reason": "ok"}
                    """)
            try await client.execute(uri: "/api/v1/approvals", method: .post, headers: .bearer(approver), body: approval) {
                #expect($0.status == .created)
            }
            let enabled = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(enabled.contains("<button type=\"submit\">Promote to prod →</button>"))
            let done = try await client.execute(
                uri: "/promote", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded", .origin: Self.origin],
                body: ByteBuffer(string: fields.map { "\($0.key)=\($0.value)" }.joined(separator: "&")))
            #expect(done.status == .seeOther && done.headers[.location]?.hasPrefix("/?promoted=") == true)
        }
        let promoted = try await fixture.ledger.events(LedgerQuery(environment: "prod", kinds: [.promoted]))
        #expect(promoted.count == 1 && promoted.first?.actor == "erin")
    }
}
