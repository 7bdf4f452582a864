import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth serve: each tag a push names is its own hint")
struct WebhookTagHintTests {
    @Test("one digest pushed under two tags in one window: both tags checked; the one pointing elsewhere is 'moved'")
    func tagsOfOneDigest() async throws {
        let fixture = ServerFixture()
        let store = fixture.stores.store(host: "registry.example")
        let pushed = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "pushed")
        let other = try await TestImages.push(into: store, repository: "acme/api", tag: "latest", seed: "other")
        for (id, tag) in [("a", "v1"), ("b", "latest"), ("c", "v1")] {
            let body = WebhookFixtures.distributionPush(id: id, repository: "acme/api", digest: pushed.digest, tag: tag)
            let payload = try WebhookPayload.parse(body, source: .distribution, registry: "registry.example")
            let delivery = WebhookDelivery(
                receiver: "distribution", source: .distribution, payload: payload, body: body, headers: [])
            try await fixture.ledger.append(delivery.event(actor: "webhook:distribution", time: fixture.now.current))
        }
        let report = try await WebhookVerifier(fixture.dependencies(actor: "berth serve")).verifyPending()
        let results = Dictionary(uniqueKeysWithValues: report.verified.map { ($0.event.tag ?? "", $0) })
        #expect(results.count == 2, "\(report.verified.map(\.event.summary))")
        #expect(results["v1"]?.result == .confirmed && results["v1"]?.folded == 1, "the repeat of v1 is folded into it")
        #expect(results["latest"]?.result == .moved && results["latest"]?.observed == other.digest)
    }
}
