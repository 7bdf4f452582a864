import BerthCore
import BerthServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: POST /api/v1/promotions and /api/v1/rollbacks, as berth promote and berth rollback do them")
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

    @Test("a rollback's plan is shown without a change (a viewer may see it); carried out by a promoter, bound to what runs")
    func rollback() async throws {
        let fixture = ServerFixture()
        let good = try await fixture.fill()
        let bad = try await fixture.releaseFix(promoteTo: ["dev"])
        let (_, viewer) = try await fixture.token(.viewer)
        let (_, promoter) = try await fixture.token(.promoter, name: "dana")
        @Sendable func body(from digest: String) -> ByteBuffer {
            ByteBuffer(
                string: """
                    {"repository": "\(ServerFixture.image)", "environment": "dev", "from": "\(digest)", "reason": "5xx after deploy"}
                    """)
        }
        try await fixture.application().test(.router) { client in
            let plan = try await client.execute(
                uri: "/api/v1/rollbacks?plan=true", method: .post, headers: .bearer(viewer), body: body(from: bad.description))
            #expect(plan.status == .ok)
            let shown = try JSONSerialization.jsonObject(with: Data(buffer: plan.body)) as? [String: Any]
            #expect(shown?["status"] as? String == "plan" && shown?["toVersion"] as? String == "0.1.0")
            #expect(shown?["toDigest"] as? String == good.description && shown?["fromVersion"] as? String == "0.1.1")
            try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(viewer), body: body(from: bad.description)
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(promoter), body: body(from: good.description)
            ) { #expect($0.status == .conflict, "dev runs 0.1.1, not what the caller saw") }
            #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.rolledBack, .markedBad])).isEmpty)
            try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(promoter), body: body(from: bad.description)
            ) { response in
                #expect(response.status == .created)
                let result = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(result?["status"] as? String == "rolled-back" && result?["actor"] as? String == "dana")
            }
        }
        let rolledBack = try await fixture.ledger.events(LedgerQuery(environment: "dev", kinds: [.rolledBack]))
        #expect(rolledBack.count == 1 && rolledBack.first?.actor == "dana" && rolledBack.first?.digest == good.description)
        let marked = try await fixture.ledger.events(LedgerQuery(kinds: [.markedBad]))
        #expect(marked.first?.digest == bad.description)
    }
}
