import BerthCore
import BerthOCI
import BerthServer
import BerthTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: webhook hints verified against the registry, coalesced, reconciled; Harbor scans as gate decisions")
struct WebhookVerificationTests {
    static func children(of index: ManifestDocument) throws -> [Digest] {
        let json = try JSONSerialization.jsonObject(with: index.bytes) as? [String: Any]
        let manifests = json?["manifests"] as? [[String: Any]] ?? []
        return manifests.compactMap { ($0["digest"] as? String).flatMap(Digest.init) }
    }

    @Test("an index push's burst (two platform manifests, then the index) is one verification, confirmed by the registry")
    func indexBurst() async throws {
        let fixture = ServerFixture()
        let store = fixture.stores.store(host: "registry.example")
        let index = try await TestImages.pushIndex(into: store, repository: "acme/multi", tag: "v1", seed: "multi")
        let children = try Self.children(of: index)
        #expect(children.count == 2)
        let bodies =
            children.enumerated().map { offset, child in
                WebhookFixtures.distributionPush(id: "child-\(offset)", repository: "acme/multi", digest: child, tag: nil)
            } + [
                WebhookFixtures.distributionPush(
                    id: "index", repository: "acme/multi", digest: index.digest, tag: "v1",
                    mediaType: MediaType.ociIndex, references: children)
            ]
        let webhooks = WebhookFixtures.settings(registry: "registry.example", window: 0.3)
        try await WebhookFixtures.application(fixture, webhooks: webhooks).test(.router) { client in
            for body in bodies {
                let response = try await client.execute(
                    uri: "/webhooks/distribution", method: .post, headers: WebhookFixtures.headers("distribution", body: body),
                    body: ByteBuffer(data: body))
                #expect(response.status == .accepted)
            }
            let verified = try await WebhookFixtures.awaitEvents(fixture.ledger, .webhookVerified)
            try await Task.sleep(for: .milliseconds(500))
            let all = try await fixture.ledger.events(LedgerQuery(kinds: [.webhookVerified]))
            #expect(all.count == 1)
            #expect(verified.first?.digest == index.digest.description)
            #expect(verified.first?.details["webhook.result"] == "confirmed")
        }
    }

    @Test(
        "two replicas verifying the same pending hints at once record one verification; a pushed digest the registry lacks is 'absent'"
    )
    func replicasShareWork() async throws {
        let fixture = ServerFixture()
        let store = fixture.stores.store(host: "registry.example")
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v9", seed: "replicas")
        let missing = Digest.sha256(of: Data("never pushed".utf8))
        for (id, digest, tag) in [("a", image.digest, "v9"), ("b", missing, "v10")] {
            let body = WebhookFixtures.distributionPush(id: id, repository: "acme/api", digest: digest, tag: tag)
            let payload = try WebhookPayload.parse(body, source: .distribution, registry: "registry.example")
            let delivery = WebhookDelivery(
                receiver: "distribution", source: .distribution, payload: payload, body: body, headers: [])
            try await fixture.ledger.append(delivery.event(actor: "webhook:distribution", time: fixture.now.current))
        }
        let one = WebhookVerifier(fixture.dependencies(actor: "replica-1"))
        let two = WebhookVerifier(fixture.dependencies(actor: "replica-2"))
        async let first = one.verifyPending()
        async let second = two.verifyPending()
        let reports = try await [first, second]
        #expect(reports.map(\.verified.count).reduce(0, +) == 2)
        let recorded = try await fixture.ledger.events(LedgerQuery(kinds: [.webhookVerified]))
        #expect(recorded.count == 2)
        #expect(Set(recorded.compactMap { $0.details["webhook.result"] }) == ["confirmed", "absent"])
        // A third run finds nothing pending.
        #expect(try await one.verifyPending().verified.isEmpty)
    }

    @Test("a tag moved behind berth's back is drift: found by a push's verification and by reconcile, recorded once")
    func drift() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev"])
        let expectations = try await TagExpectations.read(ServerFixture.image, ledger: fixture.ledger)
        let tag = try #require(expectations.tags.first { $0.value.digest == digest }?.key)
        let store = fixture.stores.store(host: "registry.example")
        let other = try await TestImages.push(into: store, repository: "acme/api", tag: tag, seed: "by hand")
        let body = WebhookFixtures.distributionPush(id: "moved", repository: "acme/api", digest: other.digest, tag: tag)
        try await WebhookFixtures.application(fixture, webhooks: WebhookFixtures.settings(registry: "registry.example"))
            .test(.router) { client in
                let response = try await client.execute(
                    uri: "/webhooks/distribution", method: .post, headers: WebhookFixtures.headers("distribution", body: body),
                    body: ByteBuffer(data: body))
                #expect(response.status == .accepted)
                let drift = try await WebhookFixtures.awaitEvents(fixture.ledger, .driftDetected)
                #expect(drift.count == 1)
                let found = try #require(drift.first.flatMap(RegistryDrift.init))
                #expect(found.expected == digest && found.observed == other.digest && found.foundBy == "webhook")
            }
        let reconciler = RegistryReconciler(fixture.dependencies(actor: "berth serve"))
        let report = try await reconciler.reconcile()
        #expect(report.drift.isEmpty && report.tags == expectations.tags.count && report.failures.isEmpty)
        // Deleted by hand, a tag drifts again (to nothing), once.
        try await store.deleteTag("acme/api", tag: tag)
        #expect(try await reconciler.reconcile().drift.map(\.observed) == [nil])
        #expect(try await reconciler.reconcile().drift.isEmpty)
        #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.driftDetected])).count == 2)
    }

    static func harborScan(digest: Digest, high: Int, critical: Int, report: String) -> Data {
        Data(
            """
            {"type":"SCANNING_COMPLETED","occur_at":1648715576,"operator":"auto","event_data":{"resources":[{"digest":"\(digest)",\
            "tag":"0.1.0","resource_url":"registry.example/acme/api:0.1.0","scan_overview":{"application/vnd.security.vulnerability.report; version=1.1":\
            {"report_id":"\(report)","scan_status":"Success","severity":"High","duration":3,"summary":{"total":\(high + critical),"fixable":0,\
            "summary":{"High":\(high),"Critical":\(critical)}},"start_time":"2024-01-10T08:32:53Z","end_time":"2024-01-10T08:32:56Z",\
            "scanner":{"name":"Trivy","vendor":"Aqua Security","version":"v0.50.1"},"complete_percent":100}}}],\
            "repository":{"name":"api","namespace":"acme","repo_full_name":"acme/api","repo_type":"private"}}}
            """.utf8)
    }

    @Test(
        "Harbor's SCANNING_COMPLETED for a digest berth released records its gate decision under berth.yaml's policy, once per report"
    )
    func harborScanGate() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev"])
        let before = try await fixture.ledger.events(LedgerQuery(kinds: [.gateEvaluated])).count
        let (_, admin) = try await fixture.token(.admin, name: "root")
        try await WebhookFixtures.application(fixture, webhooks: WebhookFixtures.settings()).test(.router) { client in
            let approve = Self.harborScan(digest: digest, high: 4, critical: 0, report: "r-1")
            _ = try await client.execute(
                uri: "/webhooks/harbor", method: .post, headers: WebhookFixtures.headers("harbor", body: approve),
                body: ByteBuffer(data: approve))
            let gates = try await WebhookFixtures.awaitEvents(fixture.ledger, .gateEvaluated, count: before + 1)
            let gate = try #require(gates.first.flatMap(GateRecord.init))
            #expect(
                gate.outcome == .needsApproval && gate.scanner == "harbor" && gate.digest == digest && gate.version == "0.1.0")
            #expect(gate.counts[.high] == 4)
            // Replayed by an admin: verified again, but the same report is not a second decision.
            let delivery = try #require(try await WebhookFixtures.deliveries(fixture.ledger).first?.id)
            let replay = try await client.execute(
                uri: "/api/v1/webhooks/deliveries/\(delivery)/replay", method: .post, headers: .bearer(admin))
            #expect(replay.status == .ok)
            #expect(String(buffer: replay.body).contains("scan-completed registry.example/acme/api:0.1.0"))
            #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.gateEvaluated])).count == before + 1)
            let block = Self.harborScan(digest: digest, high: 0, critical: 1, report: "r-2")
            _ = try await client.execute(
                uri: "/webhooks/harbor", method: .post, headers: WebhookFixtures.headers("harbor", body: block),
                body: ByteBuffer(data: block))
            let later = try await WebhookFixtures.awaitEvents(fixture.ledger, .gateEvaluated, count: before + 2)
            #expect(later.first.flatMap(GateRecord.init)?.outcome == .block)
        }
    }

    @Test("the deliveries page and API are for admins; Replay from the page needs the session's CSRF token and the same origin")
    func pageAndReplay() async throws {
        let fixture = ServerFixture()
        let (_, admin) = try await fixture.token(.admin, name: "root")
        let (_, viewer) = try await fixture.token(.viewer, name: "bob")
        let settings = ServerSettings(externalURL: "https://berth.example")
        let body = try WebhookFixtures.body("zulip-harbor-push-image.json")
        try await WebhookFixtures.application(fixture, webhooks: WebhookFixtures.settings(), settings: settings).test(.router) {
            client in
            _ = try await client.execute(
                uri: "/webhooks/harbor", method: .post, headers: WebhookFixtures.headers("harbor", body: body),
                body: ByteBuffer(data: body))
            let id = try #require(try await WebhookFixtures.deliveries(fixture.ledger).first?.id)
            let list = try await client.execute(uri: "/api/v1/webhooks/deliveries", method: .get, headers: .bearer(admin))
            let json = String(buffer: list.body)
            #expect(list.status == .ok && json.contains(Digest.sha256(of: body).description) && json.contains("<redacted>"))
            #expect(!json.contains("aGFyYm9yOnMzY3JldA"))
            #expect(
                try await client.execute(uri: "/api/v1/webhooks/deliveries", method: .get, headers: .bearer(viewer)).status
                    == .forbidden)
            #expect(
                try await client.execute(uri: "/api/v1/webhooks/deliveries/\(id)/replay", method: .post, headers: .bearer(viewer))
                    .status == .forbidden)
            let login = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://berth.example"],
                body: ByteBuffer(string: "token=\(admin)"))
            let cookie = String(try #require(login.headers[.setCookie]).prefix { $0 != ";" })
            let page = String(buffer: try await client.execute(uri: "/webhooks", method: .get, headers: [.cookie: cookie]).body)
            #expect(page.contains("Replay") && page.contains("harbor.example.com/example/test:latest"))
            #expect(!page.contains(admin) && !page.contains("aGFyYm9yOnMzY3JldA"))
            let csrf = try #require(
                page.range(of: "name=\"csrf\" value=\"").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) })
            func replay(_ fields: String, origin: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/webhooks/replay", method: .post,
                    headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded", .origin: origin],
                    body: ByteBuffer(string: fields))
            }
            #expect(try await replay("delivery=\(id)", origin: "https://berth.example").status == .forbidden)
            #expect(try await replay("delivery=\(id)&csrf=\(csrf)", origin: "https://evil.example").status == .forbidden)
            let done = try await replay("delivery=\(id)&csrf=\(csrf)", origin: "https://berth.example")
            #expect(done.status == .seeOther && done.headers[.location] == "/webhooks?replayed=\(id)")
            let (_, viewerToken) = (0, viewer)
            #expect(try await client.execute(uri: "/webhooks", method: .get, headers: .bearer(viewerToken)).status == .forbidden)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: .bearer(viewer)).body)
            #expect(metrics.contains("berth_webhook_deliveries_total{receiver=\"harbor\",outcome=\"accepted\"} 1"))
            #expect(metrics.contains("berth_ledger_events{kind=\"webhook-received\"} 1"))
        }
    }
}
