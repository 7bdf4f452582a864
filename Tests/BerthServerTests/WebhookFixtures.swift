import BerthCore
import BerthOCI
import BerthServer
import BerthTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// The committed webhook bodies (Fixtures/webhooks, sources in its NOTICE), receivers over them and a
/// server on `ServerFixture`'s in-memory ledger and stores.
enum WebhookFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/webhooks")

    static func body(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static let distributionSecret = "Bearer dist-s3cret-value"
    static let harborSecret = "Basic aGFyYm9yOnMzY3JldA=="
    static let githubSecret = "gh-hmac-s3cret"

    static func settings(registry: String? = nil, maxBody: Int = 1 << 20, window: Double = 0.05) -> WebhookSettings {
        var policy = GatePolicy()
        policy.rules = [.critical: .block, .high: .approve(upTo: 5)]
        return WebhookSettings(
            receivers: [
                WebhookReceiver(name: "distribution", source: .distribution, secret: distributionSecret, registry: registry),
                WebhookReceiver(name: "harbor", source: .harbor, secret: harborSecret, registry: registry),
                WebhookReceiver(name: "github", source: .github, secret: githubSecret, registry: registry),
            ], maxBodyBytes: maxBody, coalesceSeconds: window, reconcileSeconds: nil, policy: policy)
    }

    /// The headers a sender would send with `body`.
    static func headers(_ receiver: String, body: Data, event: String = "package", delivery: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        switch receiver {
        case "distribution": fields[.authorization] = distributionSecret
        case "harbor": fields[.authorization] = harborSecret
        default:
            fields[HTTPField.Name("X-GitHub-Event")!] = event
            fields[HTTPField.Name("X-GitHub-Delivery")!] = delivery ?? UUID().uuidString
            fields[HTTPField.Name("X-Hub-Signature-256")!] = signature(body, secret: githubSecret)
        }
        return fields
    }

    /// GitHub's signature, computed by openssl rather than by the server's own code.
    static func signature(_ body: Data, secret: String) -> String {
        let result = try? Shell.run(
            ExternalTool.openssl.path, ["dgst", "-sha256", "-hmac", secret, "-hex"], stdin: String(decoding: body, as: UTF8.self))
        let hex = result.map {
            String($0.stdout.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return "sha256=" + (hex ?? "")
    }

    static func application(
        _ fixture: ServerFixture, webhooks: WebhookSettings, images: [String] = [], settings: ServerSettings = ServerSettings()
    ) -> some ApplicationProtocol {
        var dependencies = ServerDependencies(
            lifecycle: fixture.dependencies(actor: "server"), environmentOrder: ServerFixture.environments.map(\.name),
            images: images)
        dependencies.webhooks = webhooks
        let logs = fixture.logs
        var logger = Logger(label: "berth.serve.test") { _ in logs }
        logger.logLevel = .trace
        return Application(router: BerthServer.router(dependencies, settings: settings), logger: logger)
    }

    /// The ledger's events of `kind` once there are at least `count` (the verifier runs after its window).
    static func awaitEvents(_ ledger: InMemoryLedger, _ kind: LedgerEvent.Kind, count: Int = 1) async throws -> [LedgerEvent] {
        for _ in 0..<100 {
            let events = try await ledger.events(LedgerQuery(kinds: [kind]))
            if events.count >= count { return events }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await ledger.events(LedgerQuery(kinds: [kind]))
    }

    static func deliveries(_ ledger: InMemoryLedger) async throws -> [LedgerEvent] {
        try await ledger.events(LedgerQuery(kinds: [.webhookReceived]))
    }

    /// A Distribution push notification for `repository` (on the receiver's registry) and `digest`.
    static func distributionPush(
        id: String, repository: String, digest: Digest, tag: String?,
        mediaType: String = "application/vnd.oci.image.manifest.v1+json",
        references: [Digest] = []
    ) -> Data {
        var target: [String: Any] = [
            "mediaType": mediaType, "digest": digest.description, "repository": repository, "size": 100,
            "url": "http://127.0.0.1:5055/v2/\(repository)/manifests/\(digest)",
            "references": references.map {
                ["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": $0.description, "size": 1]
            },
        ]
        if let tag { target["tag"] = tag }
        let envelope: [String: Any] = [
            "events": [["id": id, "timestamp": "2026-11-26T14:42:09Z", "action": "push", "target": target, "actor": [:]]]
        ]
        return try! JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])
    }
}
