import BerthCore
import BerthOCI
import BerthServer
import BerthTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: registry webhook receivers (authentication, limits, replays, recording)")
struct WebhookReceiverTests {
    static let all: [(String, String)] = [
        ("distribution", "distribution-2.8-push-manifest-auth.json"), ("distribution", "distribution-2.8-push-index.json"),
        ("distribution", "distribution-2.8-push-blob.json"), ("distribution", "distribution-2.8-mount-blob.json"),
        ("distribution", "distribution-2.8-pull-manifest.json"), ("distribution", "distribution-2.8-delete-manifest.json"),
        ("distribution", "distribution-2.8-delete-tag.json"), ("harbor", "zulip-harbor-push-image.json"),
        ("harbor", "zulip-harbor-delete-image.json"), ("harbor", "zulip-harbor-scanning-completed.json"),
        ("harbor", "zulip-harbor-scanning-completed-no-tag.json"), ("harbor", "zulip-harbor-scanning-failed.json"),
        ("harbor", "harbor-default-pull-artifact.json"), ("harbor", "harbor-cloudevents-pull-artifact.json"),
        ("github", "github-package-published-docker.json"), ("github", "github-package-published-npm.json"),
    ]

    @Test(
        "every fixture body through its receiver: 202, recorded once with its body's SHA-256 and redacted headers; sent again: 200 duplicate, nothing new",
        .requires(.openssl))
    func everyFixture() async throws {
        let fixture = ServerFixture()
        try await WebhookFixtures.application(fixture, webhooks: WebhookFixtures.settings()).test(.router) { client in
            for (receiver, file) in Self.all {
                let body = try WebhookFixtures.body(file)
                let headers = WebhookFixtures.headers(receiver, body: body, delivery: "delivery-\(file)")
                let first = try await client.execute(
                    uri: "/webhooks/\(receiver)", method: .post, headers: headers, body: ByteBuffer(data: body))
                #expect(first.status == .accepted, "\(file): \(String(buffer: first.body))")
                let answer = String(buffer: first.body)
                let before = try await WebhookFixtures.deliveries(fixture.ledger).count
                let again = try await client.execute(
                    uri: "/webhooks/\(receiver)", method: .post, headers: headers, body: ByteBuffer(data: body))
                if answer.contains("\"ignored\"") {
                    #expect(again.status == .accepted)
                } else {
                    #expect(answer.contains("\"accepted\""), "\(file)")
                    #expect(again.status == .ok && String(buffer: again.body).contains("\"duplicate\""), "\(file)")
                }
                #expect(try await WebhookFixtures.deliveries(fixture.ledger).count == before, "\(file) recorded twice")
            }
        }
        let recorded = try await WebhookFixtures.deliveries(fixture.ledger).compactMap(WebhookDelivery.init)
        // Pulls, blob uploads, a mount, Harbor's pulls and an npm package report nothing berth uses.
        #expect(recorded.count == 10)
        let push = try #require(recorded.first { $0.deliveryID == "685ef182-1023-44d2-97f4-c6465df4e132" })
        #expect(push.bodyDigest == Digest.sha256(of: try WebhookFixtures.body("distribution-2.8-push-index.json")))
        #expect(push.headers.contains("authorization: <redacted>"))
        let github = try #require(recorded.first { $0.source == .github })
        #expect(github.deliveryID == "delivery-github-package-published-docker.json")
        #expect(github.headers.contains("x-hub-signature-256: <redacted>"))
        let everything = try await fixture.ledger.events(LedgerQuery()).map { "\($0)" }.joined() + fixture.logs.text
        for secret in [WebhookFixtures.distributionSecret, "aGFyYm9yOnMzY3JldA", WebhookFixtures.githubSecret] {
            #expect(!everything.contains(secret))
        }
    }

    @Test(
        "a wrong or missing Authorization, a bad or missing signature, an oversize body, an unknown receiver or event type, a malformed body: refused, nothing recorded",
        .requires(.openssl))
    func refusals() async throws {
        let fixture = ServerFixture()
        let push = try WebhookFixtures.body("distribution-2.8-push-index.json")
        let docker = try WebhookFixtures.body("github-package-published-docker.json")
        try await WebhookFixtures.application(fixture, webhooks: WebhookFixtures.settings(maxBody: 4096)).test(.router) {
            client in
            func post(_ receiver: String, _ headers: HTTPFields, _ body: Data) async throws -> TestResponse {
                try await client.execute(
                    uri: "/webhooks/\(receiver)", method: .post, headers: headers, body: ByteBuffer(data: body))
            }
            var wrong = WebhookFixtures.headers("distribution", body: push)
            wrong[.authorization] = "Bearer dist-s3cret-valuf"
            #expect(try await post("distribution", wrong, push).status == .unauthorized)
            wrong[.authorization] = nil
            #expect(try await post("distribution", wrong, push).status == .unauthorized)
            // Harbor's secret on the Distribution receiver.
            #expect(try await post("distribution", WebhookFixtures.headers("harbor", body: push), push).status == .unauthorized)
            let big = docker + Data(repeating: 0x20, count: 8192)
            #expect(try await post("github", WebhookFixtures.headers("github", body: big), big).status == .contentTooLarge)
            let small = try WebhookFixtures.body("zulip-harbor-push-image.json")
            var smallForged = WebhookFixtures.headers("github", body: small)
            smallForged[HTTPField.Name("X-Hub-Signature-256")!] = WebhookFixtures.signature(small, secret: "another secret")
            #expect(try await post("github", smallForged, small).status == .unauthorized)
            smallForged[HTTPField.Name("X-Hub-Signature-256")!] = nil
            #expect(try await post("github", smallForged, small).status == .unauthorized)
            var flipped = small
            flipped[flipped.startIndex + 10] ^= 0x01
            #expect(try await post("github", WebhookFixtures.headers("github", body: small), flipped).status == .unauthorized)
            let oversize = Data(repeating: 0x20, count: 5000)
            #expect(
                try await post("distribution", WebhookFixtures.headers("distribution", body: oversize), oversize).status
                    == .contentTooLarge)
            #expect(try await post("nowhere", WebhookFixtures.headers("distribution", body: push), push).status == .notFound)
            let unknown = Data(#"{"type":"FROBNICATE","event_data":{}}"#.utf8)
            #expect(
                try await post("harbor", WebhookFixtures.headers("harbor", body: unknown), unknown).status
                    == .unprocessableContent)
            let issue = Data(#"{"action":"opened"}"#.utf8)
            #expect(
                try await post("github", WebhookFixtures.headers("github", body: issue, event: "issues"), issue).status
                    == .unprocessableContent)
            let broken = Data(#"{"events":[{"action":"push","#.utf8)
            #expect(
                try await post("distribution", WebhookFixtures.headers("distribution", body: broken), broken).status
                    == .badRequest)
        }
        #expect(try await WebhookFixtures.deliveries(fixture.ledger).isEmpty)
        #expect(try await fixture.ledger.events(LedgerQuery()).isEmpty)
    }
}
