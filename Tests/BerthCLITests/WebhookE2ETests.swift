import BerthCore
import BerthLayout
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Registry webhooks as they arrive in production: Debian's Docker Distribution 2.8 sends its notifications
/// to the running `berth serve` (a SQLite ledger in a temporary directory, a receiver in berth.yaml whose
/// Authorization value comes from an environment variable); the deliveries, their verification against
/// the registry and a tag moved behind berth's back (by skopeo) are read back through the server's API.
@Suite(
    "registry webhooks end to end: Docker Distribution notifying berth serve", .serialized, .requires(.dockerRegistry, .skopeo))
struct WebhookE2ETests {
    static let secretVariable = "BERTH_TEST_DISTRIBUTION_AUTH"

    @Test(
        "Distribution's notifications reach berth serve: a push and a release recorded and verified, a wrong Authorization refused, a tag moved by skopeo recorded as drift"
    )
    func distributionNotifiesServe() async throws {
        let cli = try CLIHarness()
        let port = try FreePort.find()
        let secret = "Bearer wh-\(UUID().uuidString)"
        let registry = try RegistryServer(
            notifications: .init(url: "http://127.0.0.1:\(port)/webhooks/distribution", headers: ["Authorization": secret]))
        defer { registry.stop() }
        let image = "\(registry.host)/acme/api"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        try repo.commit(
            "chore: receive the registry's notifications", file: "berth.yaml",
            content: """
                image:
                  names: [\(image)]
                ledger: ../ledger.sqlite
                server:
                  webhooks:
                    coalesce: 500ms
                    reconcile: 10s
                    receivers:
                      - {name: distribution, type: distribution, secret_env: \(Self.secretVariable)}

                """)
        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: repo.environment)
        }
        let token = try berth("token", "create", "--role", "admin", "--name", "webhook-test").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(token.hasPrefix("berth_"))
        let server = try ServeProcess(
            cli: cli, arguments: ["serve", "--listen", "127.0.0.1:\(port)"], directory: repo.path,
            environment: [Self.secretVariable: secret])
        defer { server.stop() }
        let base = try server.waitForURL()

        // Pushed through berth (sha-<head>), then released (v0.1.0, latest): the registry notifies each manifest push.
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        let release = try berth("release")
        try #require(release.status == 0, "\(release.stderr)")
        let deliveries = try await poll("every pushed tag recorded and confirmed", server: server, registry: registry) {
            let listed = try Self.deliveries(base, token: token)
            let tags = ["sha-", ":v0.1.0@", ":v0.1@", ":latest@"]
            let done = tags.allSatisfy { tag in
                listed.contains { delivery in
                    delivery.events.contains { $0.contains(tag) }
                        && delivery.verifications.contains { $0.contains(tag) && $0.hasSuffix(": confirmed") }
                }
            }
            return (done ? listed : nil, listed.map { "\($0.events) \($0.verifications)" }.joined(separator: "\n"))
        }
        for delivery in deliveries {
            #expect(delivery.receiver == "distribution" && delivery.source == "distribution")
            #expect(delivery.bodySHA256.hasPrefix("sha256:"))
            #expect(delivery.events.allSatisfy { $0.hasPrefix("push \(image)") }, "pulls are ignored: \(delivery.events)")
            #expect(
                delivery.headers.contains("authorization: <redacted>") && !delivery.headers.joined().contains(secret),
                "the Authorization header is recorded redacted: \(delivery.headers)")
        }
        let short = String(digest.dropFirst("sha256:".count).prefix(12))
        #expect(deliveries.contains { $0.events.contains { $0.contains(":v0.1.0@") && $0.contains(short) } })
        #expect(try Self.events(base, image: "berth:webhooks", kind: "webhook-received", token: token) == nil, "not a service")
        let forged = try HTTP.send(
            Self.webhookRequest(base + "webhooks/distribution", authorization: "Bearer not-the-secret", body: "{\"events\": []}"))
        #expect(forged.status == 401)
        #expect(try Self.deliveries(base, token: token).count == deliveries.count, "a refused delivery records nothing")

        // Behind berth's back: skopeo points v0.1.0 at another image.
        let layout = repo.path + "/../layout-elsewhere"
        let other = try await TestImages.push(
            into: try OCILayoutStore(path: layout), repository: "", tag: "build", seed: "elsewhere")
        #expect(other.digest.description != digest)
        let copy = try Shell.run(
            ExternalTool.skopeo.path,
            ["copy", "--dest-tls-verify=false", "oci:\(layout):build", "docker://\(image):v0.1.0"])
        try #require(copy.status == 0, "\(copy.stderr)")
        let moved = try berth("registry", "digest", "\(image):v0.1.0").stdout.trimmingCharacters(in: .newlines)
        #expect(moved != digest)
        let drift = try await poll("the moved tag recorded as drift", server: server, registry: registry) {
            let events = try Self.events(base, image: image, kind: "drift-detected", token: token)
            return (events?.first { $0.details["tag"] == "v0.1.0" }, "\(events.map { $0.map(\.details) } as Any)")
        }
        #expect(drift.digest == moved, "the digest the registry shows now")
        #expect(drift.details["drift.expected"] == digest, "where berth put it: \(drift.details)")
        #expect(["webhook", "reconcile"].contains(drift.details["drift.foundBy"] ?? ""), "\(drift.details)")
        #expect(drift.actor == "berth serve")
        let driftCount = try Self.events(base, image: image, kind: "drift-detected", token: token)?.count
        #expect(driftCount == 1, "recorded once, whichever found it first")
        let (exit, output) = server.stop()
        #expect(exit == 0, "\(output)")
        #expect(!output.contains(secret) && !output.contains(token), "no secret in the server's output")
    }

    struct Delivery: Decodable {
        let id: Int64?
        let receiver: String
        let source: String
        let bodySHA256: String
        let headers: [String]
        let events: [String]
        let verifications: [String]
    }

    struct Event: Decodable {
        let kind: String
        let digest: String?
        let actor: String
        let details: [String: String]
    }

    static func deliveries(_ base: String, token: String) throws -> [Delivery] {
        struct Page: Decodable { let deliveries: [Delivery] }
        let response = try HTTP.get(base + "api/v1/webhooks/deliveries?limit=500", token: token)
        try #require(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return try JSONDecoder().decode(Page.self, from: response.body).deliveries
    }

    /// A service's events of `kind`; nil when the server has no such service (404).
    static func events(_ base: String, image: String, kind: String, token: String) throws -> [Event]? {
        struct Page: Decodable { let events: [Event] }
        let name = image.replacingOccurrences(of: "/", with: "%2F")
        let response = try HTTP.get(base + "api/v1/services/\(name)/history?kind=\(kind)", token: token)
        if response.status == 404 { return nil }
        try #require(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return try JSONDecoder().decode(Page.self, from: response.body).events
    }

    static func webhookRequest(_ url: String, authorization: String, body: String) -> URLRequest {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/vnd.docker.distribution.events.v1+json", forHTTPHeaderField: "Content-Type")
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        return request
    }

    /// Asks `check` every 200 ms for 40 s; fails with what it last saw, the server's output and the
    /// registry's own messages (its notification errors) when it never answers.
    func poll<T>(
        _ what: String, server: ServeProcess, registry: RegistryServer, _ check: () throws -> (found: T?, seen: String)
    ) async throws -> T {
        var seen = ""
        for _ in 0..<200 {
            let (found, saw) = try check()
            if let found { return found }
            seen = saw
            try await Task.sleep(for: .milliseconds(200))
        }
        let output = (try? String(contentsOfFile: server.output, encoding: .utf8)) ?? ""
        let log = ((try? String(contentsOf: registry.logFile, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { !$0.contains("response completed") && !$0.hasPrefix("127.0.0.1 - ") }.suffix(15)
        Issue.record(
            """
            not within 40 s: \(what)
            last seen: \(seen.suffix(3000))
            berth serve said: \(output.suffix(3000))
            the registry said: \(log.joined(separator: "\n"))
            """)
        throw CancellationError()
    }
}
