import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: routes, tokens and roles, in process")
struct ServerRoutesTests {
    @Test("/healthz and /readyz answer without credentials")
    func health() async throws {
        let fixture = ServerFixture()
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("/readyz is 503 when the ledger can't be read, without the error in the body")
    func notReady() async throws {
        let dependencies = ServerDependencies(
            lifecycle: LifecycleDependencies(
                ledger: BrokenLedger(), stores: ServerFixture().stores, time: FixedTime(0), actor: "server"),
            environmentOrder: [])
        let app = Application(router: BerthServer.router(dependencies, settings: ServerSettings()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(!String(buffer: response.body).contains("secret-password"))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("/readyz is 503 after 2 s when the ledger doesn't answer (a PostgreSQL that is down may not refuse at once)")
    func readyTimeout() async throws {
        let dependencies = ServerDependencies(
            lifecycle: LifecycleDependencies(
                ledger: HangingLedger(), stores: ServerFixture().stores, time: FixedTime(0), actor: "server"),
            environmentOrder: [])
        let app = Application(router: BerthServer.router(dependencies, settings: ServerSettings()))
        try await app.test(.router) { client in
            let start = ContinuousClock.now
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("did not answer"))
            }
            // Bounds only the hang (the ledger answers after 30 s): a busy pool may resume the 2 s timer late.
            #expect(ContinuousClock.now - start < .seconds(25))
        }
    }

    @Test("no token, a malformed one or an unknown one is 401; the board page redirects to the login page")
    func unauthenticated() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, real) = try await fixture.token(.viewer)
        let forged = "berth_" + real.dropFirst(6).prefix(12) + "_" + String(repeating: "0", count: 64)
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/board", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"berth\"")
            }
            for presented in ["nonsense", forged, "berth_000000000000_" + String(repeating: "a", count: 64)] {
                try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(presented)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(!String(buffer: response.body).contains(presented))
                }
            }
            try await client.execute(uri: "/api/v1/board", method: .get, headers: [.authorization: "Basic eDp5"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
        }
    }

    @Test("the board JSON: one row per service, environments in promotion order, what runs where with its gate")
    func board() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill()
        let (_, token) = try await fixture.token(.viewer)
        fixture.now.withLock { $0 += 90 }
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let board = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(board?["environments"] as? [String] == ["dev", "staging", "prod"])
                let services = board?["services"] as? [[String: Any]] ?? []
                #expect(services.map { $0["repository"] as? String } == [ServerFixture.image])
                let cells = services.first?["cells"] as? [[String: Any]] ?? []
                #expect(cells.map { $0["environment"] as? String } == ["dev", "staging", "prod"])
                #expect(cells.first?["version"] as? String == "0.1.0")
                #expect(cells.first?["digest"] as? String == digest.description)
                #expect(cells.first?["actor"] as? String == "ci")
                #expect(cells.first?["event"] as? String == "promoted")
                #expect(cells.first?["ageSeconds"] as? Int == 90)
                #expect((cells.first?["gate"] as? [String: Any])?["outcome"] as? String == "pass")
                #expect(cells[1]["version"] == nil, "nothing was promoted to staging")
                #expect(!String(buffer: response.body).contains(token))
                #expect(!String(buffer: response.body).contains("berth:tokens"), "token events are no service")
            }
        }
    }

    @Test("a viewer can't approve (403); a token scoped to staging can't approve prod (403); an approver can, as itself")
    func approvals() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill()
        let (_, viewer) = try await fixture.token(.viewer)
        let (_, staging) = try await fixture.token(.approver, environment: "staging")
        let (_, approver) = try await fixture.token(.approver, name: "alice", environment: "prod")
        let body = ByteBuffer(
            string: """
                {"repository": "\(ServerFixture.image)", "version": "0.1.0", "environment": "prod", "digest": "\(digest)", "reason": "hotfix for #812"}
                """)
        try await fixture.application().test(.router) { client in
            for token in [viewer, staging] {
                try await client.execute(uri: "/api/v1/approvals", method: .post, headers: .bearer(token), body: body) {
                    #expect($0.status == .forbidden)
                }
            }
            try await client.execute(uri: "/api/v1/approvals", method: .post, body: body) { #expect($0.status == .unauthorized) }
            let other = ByteBuffer(
                string: String(buffer: body).replacingOccurrences(
                    of: digest.description, with: "sha256:" + String(repeating: "1", count: 64)))
            try await client.execute(uri: "/api/v1/approvals", method: .post, headers: .bearer(approver), body: other) {
                #expect($0.status == .conflict, "the digest the caller was shown is no longer the version's")
            }
            try await client.execute(uri: "/api/v1/approvals", method: .post, headers: .bearer(approver), body: body) {
                response in
                #expect(response.status == .created)
                let result = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(result?["status"] as? String == "approved")
                #expect(result?["actor"] as? String == "alice")
            }
            try await client.execute(
                uri: "/api/v1/approvals", method: .post, headers: .bearer(approver), body: ByteBuffer(string: "{\"x\": 1}")
            ) { #expect($0.status == .badRequest) }
        }
        let approved = try await fixture.ledger.events(LedgerQuery(repository: ServerFixture.image, kinds: [.approved]))
        #expect(approved.count == 1)
        #expect(approved.first?.actor == "alice")
        #expect(approved.first?.digest == digest.description)
        #expect(approved.first?.environment == "prod")
    }

    @Test("an expired token and a revoked token are refused (401), at once and without state in the server")
    func expiredAndRevoked() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, shortLived) = try await fixture.token(.viewer, validFor: 60)
        let (revokedToken, revoked) = try await fixture.token(.viewer)
        try await fixture.application().test(.router) { client in
            for token in [shortLived, revoked] {
                try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(token)) {
                    #expect($0.status == .ok)
                }
            }
            fixture.now.withLock { $0 += 61 }
            try await fixture.revoke(revokedToken.id)
            for token in [shortLived, revoked] {
                try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(token)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(!String(buffer: response.body).contains(token))
                }
            }
        }
        #expect(!fixture.logs.text.contains(shortLived) && !fixture.logs.text.contains(revoked))
        #expect(fixture.logs.text.contains("refused a token"), "the refusals are logged, without the token")
    }

    @Test("history: filtered by kind, paginated with next, newest first; the tokens' events are no service's history")
    func history() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, token) = try await fixture.token(.viewer)
        let name = ServerFixture.image.replacingOccurrences(of: "/", with: "%2F")
        try await fixture.application().test(.router) { client in
            let first = try await client.execute(
                uri: "/api/v1/services/\(name)/history?limit=2", method: .get, headers: .bearer(token))
            #expect(first.status == .ok)
            let page = try JSONSerialization.jsonObject(with: Data(buffer: first.body)) as? [String: Any]
            let events = page?["events"] as? [[String: Any]] ?? []
            #expect(events.count == 2)
            let ids = events.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted(by: >))
            let next = try #require(page?["next"] as? String)
            let second = try await client.execute(
                uri: "/api/v1/services/\(name)/history?\(next)", method: .get, headers: .bearer(token))
            let rest =
                (try JSONSerialization.jsonObject(with: Data(buffer: second.body)) as? [String: Any])?["events"]
                as? [[String: Any]] ?? []
            #expect(!rest.isEmpty)
            #expect(rest.compactMap { $0["id"] as? Int }.allSatisfy { $0 < ids.last! })
            let gates = try await client.execute(
                uri: "/api/v1/services/\(name)/history?kind=gate-evaluated", method: .get, headers: .bearer(token))
            let gateEvents =
                (try JSONSerialization.jsonObject(with: Data(buffer: gates.body)) as? [String: Any])?["events"]
                as? [[String: Any]] ?? []
            #expect(gateEvents.count == 2 && gateEvents.allSatisfy { $0["kind"] as? String == "gate-evaluated" })
            try await client.execute(
                uri: "/api/v1/services/\(name)/history?kind=nonsense", method: .get, headers: .bearer(token)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/api/v1/services/\(name)/history?limit=100000", method: .get, headers: .bearer(token)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/api/v1/services/berth%3Atokens/history", method: .get, headers: .bearer(token)
            ) { response in
                #expect(response.status == .notFound)
                #expect(!String(buffer: response.body).contains("sha256"))
            }
        }
    }

    @Test(
        "the history page: newest first, filtered by the query string (a permalink), escaped, with its JSON and older pages linked"
    )
    func historyPage() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(actor: "<b>ci</b>", promoteTo: ["dev", "staging"])
        let (_, token) = try await fixture.token(.viewer)
        let name = ServerFixture.image.replacingOccurrences(of: "/", with: "%2F")
        try await fixture.application().test(.router) { client in
            let board = String(buffer: try await client.execute(uri: "/", method: .get, headers: .bearer(token)).body)
            #expect(board.contains("href=\"/services/\(name)\""))
            let page = try await client.execute(
                uri: "/services/\(name)?kind=promoted&limit=1&environment=%22%3E%3Cx", method: .get, headers: .bearer(token))
            #expect(page.status == .ok)
            let filtered = String(buffer: page.body)
            #expect(!filtered.contains("<b>ci</b>") && !filtered.contains("\"><x"))
            #expect(filtered.contains("No events match."), "no environment is called \"><x")
            let staging = String(
                buffer: try await client.execute(
                    uri: "/services/\(name)?kind=promoted&limit=1", method: .get, headers: .bearer(token)
                ).body)
            #expect(staging.contains("staging · promoted · 0.1.0") && staging.contains("by &lt;b&gt;ci&lt;/b&gt;"))
            #expect(!staging.contains("dev · promoted"), "one per page")
            #expect(staging.contains("older events →") && staging.contains("before="))
            #expect(staging.contains("href=\"/api/v1/services/\(name)/history?kind=promoted\""))
            try await client.execute(uri: "/services/berth%3Atokens", method: .get, headers: .bearer(token)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/services/\(name)", method: .get) { #expect($0.status == .seeOther) }
        }
    }

    @Test("/metrics needs a token; it counts requests by route pattern (no raw path) and the ledger's events by kind")
    func metrics() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, token) = try await fixture.token(.viewer)
        let name = ServerFixture.image.replacingOccurrences(of: "/", with: "%2F")
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(token)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/services/\(name)/history", method: .get, headers: .bearer(token)) {
                #expect($0.status == .ok)
            }
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: .bearer(token)).body)
            #expect(text.contains("berth_ledger_events{kind=\"promoted\"} 2"))
            #expect(text.contains("berth_ledger_events{kind=\"released\"} 1"))
            #expect(text.contains("berth_gate_decisions{outcome=\"needs-approval\"} 1"))
            #expect(text.contains("route=\"/api/v1/board\",method=\"GET\",status=\"200\",le=\"+Inf\"} 1"))
            #expect(text.contains("status=\"401\""))
            #expect(!text.contains("acme"), "a route is its pattern, never the path that matched it")
            #expect(!text.contains(token))
        }
    }

    @Test("--base-path: every route under it, none outside it")
    func basePath() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, token) = try await fixture.token(.viewer)
        try await fixture.application(ServerSettings(basePath: "/berth")).test(.router) { client in
            try await client.execute(uri: "/berth/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(token)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/berth/api/v1/board", method: .get, headers: .bearer(token)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/berth/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/berth/login")
            }
            try await client.execute(uri: "/berth/", method: .get, headers: .bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("href=\"/berth/api/v1/board\""))
            }
        }
    }

    @Test("the board page: environments as columns, every ledger value HTML-escaped, no token in it")
    func boardPage() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(actor: "<script>alert(1)</script>")
        let (_, token) = try await fixture.token(.viewer, name: "bob")
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/", method: .get, headers: .bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let page = String(buffer: response.body)
                // The board's own script, from the server itself, is the only one.
                let script = "<script src=\"/assets/board.js\" defer></script>"
                #expect(page.contains(script) && !page.replacingOccurrences(of: script, with: "").contains("<script"))
                #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(page.contains("<h3>dev</h3>") && page.contains("<h3>staging</h3>") && page.contains("<h3>prod</h3>"))
                let dev = try #require(page.range(of: "<h3>dev</h3>")), prod = try #require(page.range(of: "<h3>prod</h3>"))
                #expect(dev.lowerBound < prod.lowerBound, "columns in promotion order")
                #expect(page.contains("0.1.0") && page.contains("signed in as <b>bob</b>"))
                #expect(!page.contains(token))
            }
        }
    }

    @Test("login exchanges a token for an HttpOnly, SameSite=Strict cookie (Secure behind https); a cookie can't approve")
    func login() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill()
        let (_, token) = try await fixture.token(.admin)
        let settings = ServerSettings(externalURL: "https://berth.example")
        try await fixture.application(settings).test(.router) { client in
            try await client.execute(uri: "/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("type=\"password\""))
            }
            try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=berth_nope")
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
            try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://evil.example"],
                body: ByteBuffer(string: "token=\(token)")
            ) { #expect($0.status == .forbidden) }
            let login = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://berth.example"],
                body: ByteBuffer(string: "token=\(token)"))
            #expect(login.status == .seeOther)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"))
            #expect(!String(buffer: login.body).contains(token))
            let pair = String(cookie.prefix { $0 != ";" })
            try await client.execute(uri: "/", method: .get, headers: [.cookie: pair]) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains(token))
            }
            let body = ByteBuffer(
                string: """
                    {"repository": "\(ServerFixture.image)", "version": "0.1.0", "environment": "prod", "digest": "\(digest)", "reason": "r"}
                    """)
            try await client.execute(uri: "/api/v1/approvals", method: .post, headers: [.cookie: pair], body: body) {
                #expect($0.status == .forbidden, "no approval from a cookie session until CSRF tokens exist")
            }
        }
    }

    @Test("--auth none: every request acts as the anonymous actor")
    func noAuthentication() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        try await fixture.application(ServerSettings(authentication: .none)).test(.router) { client in
            try await client.execute(uri: "/api/v1/board", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("every path docs/openapi.yaml documents is routed, with the statuses it documents for a viewer")
    func documentedPaths() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, token) = try await fixture.token(.viewer)
        let document = OpenAPIText.document
        let paths = document.split(separator: "\n").filter { $0.hasPrefix("  /") && $0.hasSuffix(":") }
            .map { String($0.dropFirst(2).dropLast()) }
        #expect(paths.count == 19, "\(paths)")
        // Event streams short enough to read whole.
        var settings = ServerSettings()
        settings.eventStream = EventStreamTiming(poll: .milliseconds(20), lifetime: .milliseconds(100))
        try await fixture.application(settings).test(.router) { client in
            // The webhook paths' statuses are WebhookReceiverTests' and WebhookVerificationTests' subject.
            for path in paths where !path.contains("webhooks") {
                let posts = [
                    "/api/v1/approvals", "/api/v1/promotions", "/api/v1/rollbacks", "/api/v1/holds/release",
                    "/api/v1/bad-marks",
                ]
                // Token management is for admins: a viewer's 403 is its documented answer.
                let admin: [String: HTTPRequest.Method] = ["/api/v1/tokens": .get, "/api/v1/tokens/{id}": .delete]
                let method: HTTPRequest.Method = admin[path] ?? (posts.contains(path) ? .post : .get)
                let uri =
                    path.replacingOccurrences(
                        of: "{name}", with: ServerFixture.image.replacingOccurrences(of: "/", with: "%2F")
                    )
                    .replacingOccurrences(of: "{id}", with: "0123456789ab")
                    + (path == "/api/v1/holds" ? "?repository=\(ServerFixture.image)" : "")
                    + (path == "/api/v1/diff" ? "?repository=\(ServerFixture.image)&from=dev&to=0.1.0" : "")
                let response = try await client.execute(
                    uri: uri, method: method, headers: .bearer(token), body: ByteBuffer(string: "{}"))
                let documented =
                    admin[path] != nil ? ["403"] : method == .post ? ["200", "201", "400", "401", "403"] : ["200"]
                #expect(documented.contains(String(response.status.code)), "\(method) \(uri): \(response.status)")
            }
        }
    }

    @Test("/api/v1/openapi.yaml is docs/openapi.yaml, byte for byte")
    func openAPI() async throws {
        let expected = OpenAPIText.document
        try await ServerFixture().application().test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == expected)
            }
        }
    }
}

/// A ledger whose every read fails, as a PostgreSQL that is down does.
struct BrokenLedger: LedgerStore {
    struct Down: Error, CustomStringConvertible {
        var description: String { "connection to postgres://u:secret-password@db refused" }
    }
    func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] { throw Down() }
    func events(_ query: LedgerQuery) async throws -> [LedgerEvent] { throw Down() }
    func event(onceKey: String) async throws -> LedgerEvent? { throw Down() }
    func status(repository: String) async throws -> [EnvironmentState] { throw Down() }
    func repositories() async throws -> [String] { throw Down() }
}

/// A ledger whose reads take 30 s and ignore cancellation, as a connection to a host that drops packets does.
struct HangingLedger: LedgerStore {
    func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] { events }
    func events(_ query: LedgerQuery) async throws -> [LedgerEvent] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        return []
    }
    func event(onceKey: String) async throws -> LedgerEvent? { nil }
    func status(repository: String) async throws -> [EnvironmentState] { [] }
    func repositories() async throws -> [String] { [] }
}

/// docs/openapi.yaml as the repository holds it.
enum OpenAPIText {
    static let document: String = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }()
}
