import BerthCore
import BerthOCI
import BerthServer
import BerthTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/api/v1/diff` and `/diff` in process: 0.1.0 in staging, 0.1.1 (a hostile feature subject and a fix on
/// top) in dev, the server given the fixture's git history.
@Suite("berth serve: the diff between two cells")
struct DiffRouteTests {
    static let hostile = "feat: <script>alert('x')</script> & \"quoted\""
    static let repository = ServerFixture.image.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

    static func filled() async throws -> ServerFixture {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        _ = try fixture.git.commit(files: [], message: hostile)
        try await fixture.releaseFix(promoteTo: ["dev"])
        return fixture
    }

    static func application(_ fixture: ServerFixture, git: Bool = true) -> some ApplicationProtocol {
        var dependencies = ServerDependencies(
            lifecycle: fixture.dependencies(actor: "server"), environmentOrder: ServerFixture.environments.map(\.name))
        if git { dependencies.git = fixture.git }
        return Application(router: BerthServer.router(dependencies, settings: ServerSettings()))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    @Test("a viewer's /api/v1/diff staging → dev: versions, commits by type, labels and the change in findings")
    func api() async throws {
        let fixture = try await Self.filled()
        let (_, token) = try await fixture.token(.viewer)
        try await Self.application(fixture).test(.router) { client in
            let uri = "/api/v1/diff?repository=\(Self.repository)&from=staging&to=dev"
            try await client.execute(uri: uri, method: .get, headers: .bearer(token)) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response.body)
                let from = try #require(body["from"] as? [String: Any])
                let to = try #require(body["to"] as? [String: Any])
                #expect(from["environment"] as? String == "staging" && from["version"] as? String == "0.1.0")
                #expect(to["environment"] as? String == "dev" && to["version"] as? String == "0.1.1")
                #expect(body["sameDigest"] as? Bool == false && body["commitsUnavailable"] == nil)
                let commits = try #require(body["commits"] as? [String: Any])
                let added = try #require(commits["added"] as? [[String: Any]])
                #expect(added.compactMap { $0["title"] as? String } == ["Features", "Fixes"])
                #expect((commits["removed"] as? [Any])?.isEmpty == true)
                let labels = try #require(body["labels"] as? [[String: Any]])
                #expect(labels.first?["from"] as? String == "build" && labels.first?["to"] as? String == "fix")
                let high = (body["vulnerabilities"] as? [[String: Any]])?.first { $0["severity"] as? String == "high" }
                // 0.1.0's newest gate decision (prod's) counts 2 high, 0.1.1's none.
                #expect(high?["from"] as? Int == 2 && high?["to"] as? Int == 0 && high?["change"] as? Int == -2)
            }
            try await client.execute(uri: uri, method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("the page escapes a hostile commit subject and reads without a script; the board links adjacent cells to it")
    func page() async throws {
        let fixture = try await Self.filled()
        let (_, token) = try await fixture.token(.viewer)
        try await Self.application(fixture).test(.router) { client in
            let board = try await client.execute(uri: "/", method: .get, headers: .bearer(token))
            let boardHTML = String(buffer: board.body)
            #expect(boardHTML.contains("diff dev → staging"))
            #expect(!boardHTML.contains("diff staging → prod"), "prod runs nothing: no link")
            let link = try #require(
                boardHTML.components(separatedBy: "<a class=\"diff\" href=\"").dropFirst().first?.components(
                    separatedBy: "\""
                ).first)
            let uri = link.replacingOccurrences(of: "&amp;", with: "&")
            #expect(uri == "/diff?repository=\(Self.repository)&from=staging&to=dev")
            try await client.execute(uri: uri, method: .get, headers: .bearer(token)) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
                #expect(!html.contains("<script"), "no script on the page, and none from a commit")
                #expect(html.contains("<b>Fixes</b>") && html.contains("0.1.0") && html.contains("0.1.1"))
                #expect(html.contains("<th>high</th><td>2</td><td>0</td><td>-2</td>"))
                #expect(html.contains("org.opencontainers.image.version"))
            }
            let history = try await client.execute(
                uri: "/services/\(Self.repository)", method: .get, headers: .bearer(token))
            #expect(String(buffer: history.body).contains("action=\"/diff\""), "the history page compares too")
        }
    }

    @Test(
        "a missing parameter is 400, an unknown service, version or empty environment 404, each one line",
        arguments: [
            ("from=dev&to=staging", HTTPResponse.Status.badRequest, "repository is missing"),
            ("repository=\(repository)&from=dev", .badRequest, "to is missing"),
            ("repository=\(repository)&from=dev%0Aevil&to=staging", .badRequest, "control characters"),
            ("repository=registry.example%2Facme%2Fother&from=dev&to=staging", .notFound, "no service"),
            ("repository=\(repository)&from=dev&to=9.9.9", .notFound, "'9.9.9' is no environment, version or digest"),
            ("repository=\(repository)&from=prod&to=dev", .notFound, "environment 'prod'"),
        ])
    func refusals(query: String, status: HTTPResponse.Status, message: String) async throws {
        let fixture = try await Self.filled()
        let (_, token) = try await fixture.token(.viewer)
        try await Self.application(fixture).test(.router) { client in
            try await client.execute(uri: "/api/v1/diff?\(query)", method: .get, headers: .bearer(token)) { response in
                #expect(response.status == status)
                let error = try Self.json(response.body)["error"] as? String
                #expect(error?.contains(message) == true && error?.contains("\n") == false, "\(error ?? "")")
            }
            try await client.execute(uri: "/diff?\(query)", method: .get, headers: .bearer(token)) { response in
                #expect(response.status == status)
                #expect(String(buffer: response.body).contains("class=\"error\""))
            }
        }
    }

    @Test("a server without git says the commits are unavailable and still compares the rest")
    func withoutGit() async throws {
        let fixture = try await Self.filled()
        let (_, token) = try await fixture.token(.viewer)
        try await Self.application(fixture, git: false).test(.router) { client in
            let uri = "/api/v1/diff?repository=\(Self.repository)&from=staging&to=dev"
            try await client.execute(uri: uri, method: .get, headers: .bearer(token)) { response in
                let body = try Self.json(response.body)
                #expect(response.status == .ok && body["commits"] == nil)
                #expect((body["commitsUnavailable"] as? String)?.contains("no git repository") == true)
                #expect((body["labels"] as? [Any])?.count == 1)
            }
            let page = try await client.execute(
                uri: "/diff?repository=\(Self.repository)&from=staging&to=dev", method: .get, headers: .bearer(token))
            #expect(String(buffer: page.body).contains("this server has no git repository"))
        }
    }
}
