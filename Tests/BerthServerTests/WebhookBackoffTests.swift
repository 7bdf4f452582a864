import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth serve: a webhook hint the registry can't answer backs off instead of being asked about on every run")
struct WebhookBackoffTests {
    /// The in-memory registry behind a switch: while `down`, every repository lookup fails as a refused
    /// connection would; `asked` counts the lookups (one per hint checked).
    final class SwitchedStores: ImageStoreProvider, Sendable {
        let stores = InMemoryStores()
        let down = Locked(true)
        let asked = Locked(0)

        func store(for reference: ImageReference) throws -> any ImageStore {
            asked.withLock { $0 += 1 }
            if down.current { throw BerthError(.failure, "registry.example: connection refused") }
            return try stores.store(for: reference)
        }
    }

    static func deliver(_ fixture: ServerFixture, id: String, digest: Digest, tag: String) async throws {
        let body = WebhookFixtures.distributionPush(id: id, repository: "acme/api", digest: digest, tag: tag)
        let payload = try WebhookPayload.parse(body, source: .distribution, registry: "registry.example")
        let delivery = WebhookDelivery(receiver: "distribution", source: .distribution, payload: payload, body: body, headers: [])
        try await fixture.ledger.append(delivery.event(actor: "webhook:distribution", time: fixture.now.current))
    }

    @Test(
        "asked again after 30 s, 60 s, 120 s, then every 120 s (the cap); verified once the registry answers, and forgotten"
    )
    func backsOff() async throws {
        let fixture = ServerFixture()
        let registry = SwitchedStores()
        let image = try await TestImages.push(
            into: registry.stores.store(host: "registry.example"), repository: "acme/api", tag: "v9", seed: "backoff")
        try await Self.deliver(fixture, id: "one", digest: image.digest, tag: "v9")
        let backoff = HintBackoff(first: 30, longest: 120)
        let verifier = WebhookVerifier(
            LifecycleDependencies(
                ledger: fixture.ledger, stores: registry, time: MovingTime(value: fixture.now), actor: "berth serve"),
            backoff: backoff)
        func advance(_ seconds: Double) { fixture.now.withLock { $0 += seconds } }

        var report = try await verifier.verifyPending()
        #expect(report.failures.count == 1 && report.deferred == 0 && registry.asked.current == 1)
        #expect(report.failures.first?.hasSuffix("(asked again in 30s)") == true, "\(report.failures)")
        // Every run in the meantime (a burst of deliveries, a reconcile) leaves it alone.
        for _ in 0..<5 {
            report = try await verifier.verifyPending()
            #expect(report.failures.isEmpty && report.deferred == 1 && report.verified.isEmpty)
        }
        advance(29)
        #expect(try await verifier.verifyPending().deferred == 1)
        #expect(registry.asked.current == 1, "not asked while it waits")
        for next in [60, 120, 120, 120] {
            advance(1)
            report = try await verifier.verifyPending()
            #expect(report.failures.first?.hasSuffix("(asked again in \(next)s)") == true, "\(report.failures)")
            advance(Double(next) - 1)
            #expect(try await verifier.verifyPending().deferred == 1)
        }
        #expect(registry.asked.current == 5, "once per wait: at 0, 30, 90, 210 and 330 s")
        #expect(try await fixture.ledger.events(LedgerQuery(kinds: [.webhookVerified])).isEmpty, "nothing recorded as fact")

        // A replay asks now, whatever the backoff says.
        let delivery = try #require(
            try await fixture.ledger.events(LedgerQuery(kinds: [.webhookReceived])).compactMap(WebhookDelivery.init).first)
        let replayed = try await verifier.verify([delivery], replay: true)
        #expect(replayed.failures.count == 1 && !replayed.failures[0].contains("asked again"))
        #expect(registry.asked.current == 6)

        // The registry is back: the next try after the wait verifies it, once, and the backoff forgets it.
        registry.down.withLock { $0 = false }
        #expect(try await verifier.verifyPending().deferred == 1, "still waiting out its 120 s")
        advance(1)
        report = try await verifier.verifyPending()
        #expect(report.verified.map(\.result) == [.confirmed] && report.failures.isEmpty && report.deferred == 0)
        #expect(backoff.count == 0)
        let recorded = try await fixture.ledger.events(LedgerQuery(kinds: [.webhookVerified]))
        #expect(recorded.count == 1 && recorded.first?.details["webhook.result"] == "confirmed")
        report = try await verifier.verifyPending()
        #expect(report.verified.isEmpty && report.deferred == 0 && report.coalesced == 1)
    }

    @Test("a hint that aged out of the deliveries a run reads is forgotten; another hint in the meantime is asked about at once")
    func forgetsAgedOutHints() async throws {
        let fixture = ServerFixture()
        let registry = SwitchedStores()
        let image = try await TestImages.push(
            into: registry.stores.store(host: "registry.example"), repository: "acme/api", tag: "v9", seed: "aged")
        let backoff = HintBackoff(first: 30, longest: 120)
        let verifier = WebhookVerifier(
            LifecycleDependencies(
                ledger: fixture.ledger, stores: registry, time: MovingTime(value: fixture.now), actor: "berth serve"),
            window: 2, horizon: 1, backoff: backoff)
        try await Self.deliver(fixture, id: "old", digest: image.digest, tag: "v9")
        #expect(try await verifier.verifyPending().failures.count == 1)
        #expect(backoff.count == 1)
        fixture.now.withLock { $0 += 5 }
        try await Self.deliver(fixture, id: "new", digest: image.digest, tag: "v9")
        let report = try await verifier.verifyPending()
        #expect(report.failures.count == 1 && report.deferred == 0, "the newer delivery's hint is its own, asked about now")
        #expect(registry.asked.current == 2)
        #expect(backoff.count == 1, "only the hint the run still reads is remembered")
    }

    @Test("the wait doubles from `first` and stops at `longest`")
    func waits() {
        let backoff = HintBackoff(first: 2, longest: 10)
        #expect((0..<5).map { _ in backoff.failed("k", now: 100) - 100 } == [2, 4, 8, 10, 10])
        #expect(backoff.isWaiting("k", now: 109.5) && !backoff.isWaiting("k", now: 110) && !backoff.isWaiting("other", now: 0))
        backoff.answered("k")
        #expect(!backoff.isWaiting("k", now: 100) && backoff.count == 0)
        #expect(backoff.failed("k", now: 0) == 2, "starts over once answered")
    }
}
