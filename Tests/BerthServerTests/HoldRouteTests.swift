import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: holds and bad marks from the API and the board (roles, CSRF, the actor recorded)")
struct HoldRouteTests {
    static let settings = ServerSettings(externalURL: "https://berth.example")
    static let origin = "https://berth.example"
    let board = BoardApprovalTests()

    func form(_ client: some TestClientProtocol, _ path: String, cookie: String, origin: String?, fields: [String: String])
        async throws -> TestResponse
    {
        var headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func json(_ client: some TestClientProtocol, _ path: String, token: String, _ body: String) async throws -> TestResponse {
        var headers = HTTPFields.bearer(token)
        headers[.contentType] = "application/json"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test(
        "a promoter holds staging through the API: the board shows it, Promote is disabled, and the server refuses the promotion")
    func holdThroughTheAPI() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev"])
        let (_, promoter) = try await fixture.token(.promoter, name: "rel-eng")
        let (_, viewer) = try await fixture.token(.viewer, name: "watcher")
        let (_, prodOnly) = try await fixture.token(.promoter, name: "prod-bot", environment: "prod")
        try await fixture.application(Self.settings).test(.router) { client in
            let hold = """
                {"repository": "\(ServerFixture.image)", "environment": "staging", "reason": "release freeze"}
                """
            #expect(try await json(client, "/api/v1/holds", token: viewer, hold).status == .forbidden)
            #expect(try await json(client, "/api/v1/holds", token: prodOnly, hold).status == .forbidden)
            let version = #"{"repository": "\#(ServerFixture.image)", "version": "0.1.0", "reason": "x"}"#
            #expect(
                try await json(client, "/api/v1/holds", token: prodOnly, version).status == .forbidden,
                "a token for one environment can't hold a version everywhere")
            #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.held])).isEmpty)

            let held = try await json(client, "/api/v1/holds", token: promoter, hold)
            #expect(held.status == .created, "\(String(buffer: held.body))")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(buffer: held.body)) as? [String: Any])
            #expect(result["status"] as? String == "held" && result["actor"] as? String == "rel-eng")
            #expect(try await json(client, "/api/v1/holds", token: promoter, hold).status == .ok, "held already")
            let list = try await client.execute(
                uri: "/api/v1/holds?repository=\(ServerFixture.image)", method: .get, headers: .bearer(viewer))
            #expect(String(buffer: list.body).contains("\"reason\":\"release freeze\""))

            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: .bearer(promoter)).body)
            #expect(page.contains("held by rel-eng: release freeze"))
            #expect(page.contains("disabled>Promote to staging") && page.contains("held by rel-eng"))
            let boardJSON = String(
                buffer: try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(viewer)).body)
            #expect(boardJSON.contains("\"holds\":[{\"actor\":\"rel-eng\""))

            let promote = """
                {"repository": "\(ServerFixture.image)", "version": "0.1.0", "environment": "staging", "digest": "\(digest)"}
                """
            let refused = try await json(client, "/api/v1/promotions", token: promoter, promote)
            #expect(refused.status == .conflict && String(buffer: refused.body).contains("held by rel-eng"))

            let released = try await json(client, "/api/v1/holds/release", token: promoter, hold)
            #expect(released.status == .created)
            #expect(try await json(client, "/api/v1/promotions", token: promoter, promote).status == .created)
        }
        let events = try await fixture.ledger.events(LedgerQuery(kinds: [.held, .unheld]))
        #expect(events.map(\.actor) == ["rel-eng", "rel-eng"] && events.map(\.kind) == [.unheld, .held])
    }

    @Test(
        "Hold, Release and Mark bad from the page: same origin and CSRF required, recorded as the session's holder; a viewer can't"
    )
    func formsFromThePage() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev"])
        let (_, promoter) = try await fixture.token(.promoter, name: "bob")
        let (_, viewer) = try await fixture.token(.viewer, name: "val")
        try await fixture.application(Self.settings).test(.router) { client in
            let cookie = try await board.signIn(client, token: promoter)
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(page.contains("action=\"/hold\"") && page.contains("action=\"/mark-bad\""))
            #expect(page.contains("<script src=\"/assets/board.js\" defer></script>"))
            #expect(!page.contains(promoter))
            let csrf = try #require(board.field("csrf", in: page))
            let hold = ["repository": ServerFixture.image, "environment": "prod", "reason": "freeze", "csrf": csrf]
            #expect(
                try await form(client, "/hold", cookie: cookie, origin: "https://evil.example", fields: hold).status == .forbidden
            )
            var noCSRF = hold
            noCSRF["csrf"] = nil
            #expect(try await form(client, "/hold", cookie: cookie, origin: Self.origin, fields: noCSRF).status == .forbidden)
            #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.held])).isEmpty)
            let done = try await form(client, "/hold", cookie: cookie, origin: Self.origin, fields: hold)
            #expect(done.status == .seeOther && done.headers[.location]?.hasPrefix("/?held=") == true)
            let after = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(after.contains("held by bob: freeze") && after.contains("Release hold on prod"))
            let unhold = try await form(client, "/unhold", cookie: cookie, origin: Self.origin, fields: hold)
            #expect(unhold.status == .seeOther)

            let mark = [
                "repository": ServerFixture.image, "version": "0.1.0", "environment": "dev", "digest": digest.description,
                "reason": "crashes on start", "csrf": csrf,
            ]
            var other = mark
            other["digest"] = "sha256:" + String(repeating: "0", count: 64)
            #expect(try await form(client, "/mark-bad", cookie: cookie, origin: Self.origin, fields: other).status == .conflict)
            let marked = try await form(client, "/mark-bad", cookie: cookie, origin: Self.origin, fields: mark)
            #expect(marked.status == .seeOther && marked.headers[.location]?.hasPrefix("/?marked=") == true)
            let bad = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(bad.contains("marked bad: crashes on start") && bad.contains("card bad"))

            let viewerCookie = try await board.signIn(client, token: viewer)
            let viewerPage = String(
                buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: viewerCookie]).body)
            #expect(!viewerPage.contains("action=\"/hold\"") && !viewerPage.contains("action=\"/mark-bad\""))
            var crafted = hold
            crafted["csrf"] = try #require(board.field("csrf", in: viewerPage))
            #expect(
                try await form(client, "/hold", cookie: viewerCookie, origin: Self.origin, fields: crafted).status == .forbidden)
        }
        let events = try await fixture.ledger.events(LedgerQuery(kinds: [.held, .unheld, .markedBad]))
        #expect(events.map(\.kind) == [.markedBad, .unheld, .held] && Set(events.map(\.actor)) == ["bob"])
        #expect(!fixture.logs.text.contains(promoter) && !fixture.logs.text.contains(viewer))
    }

    @Test("the board script is served to anyone, holds no credential, and the page's CSP lets only it run")
    func script() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, viewer) = try await fixture.token(.viewer)
        try await fixture.application(ServerSettings(basePath: "/berth")).test(.router) { client in
            let script = try await client.execute(uri: "/berth/assets/board.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(String(buffer: script.body).contains("new EventSource("))
            let page = try await client.execute(uri: "/berth/", method: .get, headers: .bearer(viewer))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("connect-src 'self'") == true)
            let html = String(buffer: page.body)
            #expect(html.contains("data-events=\"/berth/api/v1/events\"") && html.contains("/berth/assets/board.js"))
            #expect(html.contains("data-cell=\"\(ServerFixture.image) dev\""))
            #expect(!html.contains("<script>"), "no inline script: the CSP would refuse it")
        }
    }
}
