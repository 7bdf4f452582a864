import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: POST /api/v1/promotions, as berth promote does it")
struct PromotionRouteTests {
    func body(_ digest: String, to environment: String) -> ByteBuffer {
        ByteBuffer(
            string: """
                {"repository": "\(ServerFixture.image)", "version": "0.1.0", "environment": "\(environment)", "digest": "\(digest)"}
                """)
    }

    @Test("a promoter promotes the digest it was shown, recorded as itself; again is 'already'; roles and scopes are enforced")
    func promote() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill()
        let (_, promoter) = try await fixture.token(.promoter, name: "carol")
        let (_, approver) = try await fixture.token(.approver)
        let (_, prodOnly) = try await fixture.token(.promoter, environment: "prod")
        try await fixture.application().test(.router) { client in
            for token in [approver, prodOnly] {
                try await client.execute(
                    uri: "/api/v1/promotions", method: .post, headers: .bearer(token),
                    body: body(digest.description, to: "staging")
                ) { #expect($0.status == .forbidden) }
            }
            let other = "sha256:" + String(repeating: "2", count: 64)
            try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(promoter), body: body(other, to: "staging")
            ) { #expect($0.status == .conflict) }
            try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(promoter),
                body: body(digest.description, to: "staging")
            ) { response in
                #expect(response.status == .created)
                let result = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(result?["status"] as? String == "promoted" && result?["actor"] as? String == "carol")
            }
            try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(promoter),
                body: body(digest.description, to: "staging")
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"status\":\"already\""))
            }
        }
        let promoted = try await fixture.ledger.events(
            LedgerQuery(repository: ServerFixture.image, environment: "staging", kinds: [.promoted]))
        #expect(promoted.count == 1 && promoted.first?.actor == "carol")
    }

    @Test("a crafted promotion the gate doesn't allow is refused (409) and records nothing")
    func gateHolds() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, admin) = try await fixture.token(.admin)
        try await fixture.application().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(admin), body: body(digest.description, to: "prod")
            ) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("approv"))
            }
        }
        #expect(try await fixture.ledger.events(LedgerQuery(environment: "prod", kinds: [.promoted])).isEmpty)
    }
}
