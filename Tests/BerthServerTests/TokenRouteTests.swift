import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: token management at /api/v1/tokens (admin, same TokenService and events as berth token)")
struct TokenRouteTests {
    struct Created: Decodable {
        let id: String
        let name: String
        let role: String
        let environment: String?
        let expires: String?
        let state: String
        let token: String?
    }

    struct Listing: Decodable {
        let tokens: [Created]
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    func headers(_ token: String) -> HTTPFields {
        var fields = HTTPFields.bearer(token)
        fields[.contentType] = "application/json"
        return fields
    }

    @Test("an admin creates a token (its secret once, in the answer), lists it without secret or hash, and revokes it")
    func lifecycle() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, admin) = try await fixture.token(.admin, name: "root")
        let (secret, id) = try await fixture.application().test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/tokens", method: .post, headers: headers(admin),
                body: ByteBuffer(string: #"{"role":"approver","name":"ci-deployer","environment":"prod","expires":"90d"}"#))
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store")
            let document = try JSONDecoder().decode(Created.self, from: Data(buffer: created.body))
            let secret = try #require(document.token)
            let id = document.id
            #expect(AccessToken.id(of: secret) == id)
            #expect(document.role == "approver" && document.environment == "prod" && document.name == "ci-deployer")
            #expect(document.expires == RFC3339.utc(seconds: Int64(fixture.now.current + 90 * 86_400)))
            // The new token works at once, with its role.
            try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(secret)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: .bearer(secret)) {
                #expect($0.status == .forbidden)
            }
            let listed = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: .bearer(admin))
            #expect(listed.status == .ok)
            let text = String(buffer: listed.body)
            let hash = AccessToken.hash(of: secret)
            #expect(!text.contains(secret) && !text.contains(String(secret.suffix(64))) && !text.contains(hash))
            #expect(!text.contains("sha256:") && !text.contains("\"token\""))
            let listing = try JSONDecoder().decode(Listing.self, from: Data(buffer: listed.body))
            #expect(listing.tokens.map(\.name) == ["root", "ci-deployer"])
            #expect(listing.tokens.map(\.state) == ["active", "active"])
            let revoked = try await client.execute(uri: "/api/v1/tokens/\(id)", method: .delete, headers: .bearer(admin))
            #expect(revoked.status == .ok)
            #expect(try JSONDecoder().decode(Created.self, from: Data(buffer: revoked.body)).state == "revoked")
            try await client.execute(uri: "/api/v1/board", method: .get, headers: .bearer(secret)) {
                #expect($0.status == .unauthorized)
            }
            // Revoking again changes nothing; an unknown id is 404.
            try await client.execute(uri: "/api/v1/tokens/\(id)", method: .delete, headers: .bearer(admin)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/tokens/0123456789ab", method: .delete, headers: .bearer(admin)) {
                #expect($0.status == .notFound)
            }
            return (secret, id)
        }
        // The same events as berth token create and revoke, with the admin's token holder as actor.
        let events = try await fixture.ledger.events(LedgerQuery(repository: AccessToken.ledgerRepository))
        let created = try #require(events.first { $0.kind == .tokenCreated && $0.details["token.id"] == id })
        #expect(created.actor == "root" && created.details["token.role"] == "approver")
        #expect(created.details["token.hash"] == AccessToken.hash(of: secret))
        #expect(events.filter { $0.kind == .tokenRevoked && $0.details["token.id"] == id }.map(\.actor) == ["root"])
        #expect(!events.contains { $0.details.values.contains(secret) })
        #expect(!fixture.logs.text.contains(secret) && !fixture.logs.text.contains(String(secret.suffix(64))))
        #expect(fixture.logs.text.contains("created a token"))
    }

    @Test("a viewer, approver, promoter or one environment's admin can't list, create or revoke tokens (403); nothing recorded")
    func nonAdmins() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (victim, _) = try await fixture.token(.viewer, name: "victim")
        var tokens: [String] = []
        for role in [AccessRole.viewer, .approver, .promoter] { tokens.append(try await fixture.token(role).1) }
        tokens.append(try await fixture.token(.admin, name: "prod-admin", environment: "prod").1)
        let before = try await fixture.ledger.events(LedgerQuery(repository: AccessToken.ledgerRepository)).count
        try await fixture.application().test(.router) { [tokens] client in
            for token in tokens {
                try await client.execute(uri: "/api/v1/tokens", method: .get, headers: .bearer(token)) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: headers(token), body: ByteBuffer(string: #"{"role":"admin"}"#)
                ) { #expect($0.status == .forbidden) }
                try await client.execute(uri: "/api/v1/tokens/\(victim.id)", method: .delete, headers: .bearer(token)) {
                    #expect($0.status == .forbidden)
                }
            }
            try await client.execute(
                uri: "/api/v1/tokens", method: .post, headers: Self.json, body: ByteBuffer(string: #"{"role":"admin"}"#)
            ) {
                #expect($0.status == .unauthorized)
            }
        }
        #expect(try await fixture.ledger.events(LedgerQuery(repository: AccessToken.ledgerRepository)).count == before)
    }

    @Test("bad requests are 400 in one line naming the field; a signed-in admin's session can't create through the JSON API")
    func badRequests() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, admin) = try await fixture.token(.admin, name: "root")
        let before = try await fixture.ledger.events(LedgerQuery(repository: AccessToken.ledgerRepository)).count
        try await fixture.application(ServerSettings(externalURL: "https://berth.example")).test(.router) { client in
            for (body, says) in [
                (#"{"role":"root"}"#, "role 'root' is not a role"),
                (#"{"role":"viewer","environment":"qa"}"#, "environment 'qa'"),
                (#"{"role":"viewer","expires":"forever"}"#, "expires 'forever'"),
                (#"{"role":"viewer","name":"a b"}"#, "name 'a b'"),
                ("not json", "not a token request"),
            ] {
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: headers(admin), body: ByteBuffer(string: body)
                ) {
                    response in
                    #expect(response.status == .badRequest)
                    let text = String(buffer: response.body)
                    #expect(text.contains(says), "\(text)")
                    #expect(!text.dropLast().contains("\n"))
                }
            }
            let login = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://berth.example"],
                body: ByteBuffer(string: "token=\(admin)"))
            let cookie = String(try #require(login.headers[.setCookie]).prefix { $0 != ";" })
            try await client.execute(
                uri: "/api/v1/tokens", method: .post, headers: [.cookie: cookie, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"role":"admin"}"#)
            ) { #expect($0.status == .forbidden) }
            // Reading with the session is fine, and the page never shows a secret.
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
            }
            let page = String(buffer: try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]).body)
            #expect(!page.contains(admin))
        }
        #expect(try await fixture.ledger.events(LedgerQuery(repository: AccessToken.ledgerRepository)).count == before)
    }
}
