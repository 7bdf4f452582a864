import BerthCore
import BerthServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("berth serve: /api/v1/events, the ledger as server-sent events")
struct EventStreamTests {
    /// Streams that end after `lifetime`, polling often, so a test reads a whole one.
    static func settings(basePath: String = "", lifetime: Duration = .milliseconds(600), batch: Int = 200)
        -> ServerSettings
    {
        var settings = ServerSettings(basePath: basePath)
        settings.eventStream = EventStreamTiming(
            poll: .milliseconds(20), heartbeat: .milliseconds(150), lifetime: lifetime, batch: batch)
        return settings
    }

    /// The `id:` and `event:` of each message in an event stream, and its comments.
    struct Message: Equatable {
        var id: Int64?
        var event: String?
        var data: String?
    }

    static func messages(_ text: String) -> (messages: [Message], comments: [String]) {
        var messages: [Message] = []
        var comments: [String] = []
        for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
            var message = Message()
            var any = false
            for line in block.split(separator: "\n") {
                if line.hasPrefix(":") {
                    comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                } else if line.hasPrefix("id: ") {
                    message.id = Int64(line.dropFirst(4))
                    any = true
                } else if line.hasPrefix("event: ") {
                    message.event = String(line.dropFirst(7))
                    any = true
                } else if line.hasPrefix("data: ") {
                    message.data = String(line.dropFirst(6))
                    any = true
                }
            }
            if any { messages.append(message) }
        }
        return (messages, comments)
    }

    @Test(
        "a viewer's stream sends each new ledger event with its id as event: ledger, heartbeats while quiet, and no token events"
    )
    func liveEvents() async throws {
        let fixture = ServerFixture()
        let digest = try await fixture.fill(promoteTo: ["dev"])
        let (_, viewer) = try await fixture.token(.viewer, name: "watcher")
        let newest = try #require(try await fixture.ledger.events(LedgerQuery(limit: 1)).first?.id)
        // The stream outlives a promotion recorded on a loaded machine (900 ms missed it under parallel builds).
        try await fixture.application(Self.settings(lifetime: .milliseconds(2500))).test(.router) { client in
            async let response = client.execute(uri: "/api/v1/events", method: .get, headers: .bearer(viewer))
            try await Task.sleep(for: .milliseconds(350))
            try await fixture.promote("0.1.0", to: ["staging"], actor: "ci")
            _ = try await fixture.token(.viewer, name: "another")
            let stream = try await response
            #expect(stream.status == .ok)
            #expect(stream.headers[.contentType] == "text/event-stream; charset=utf-8")
            #expect(stream.headers[.cacheControl] == "no-store")
            let (messages, comments) = Self.messages(String(buffer: stream.body))
            #expect(
                comments.contains("heartbeat"), "quiet for longer than the heartbeat: a comment keeps proxies from closing it")
            let ledger = messages.filter { $0.event == "ledger" }
            #expect(ledger.count == 1)
            let promoted = try #require(ledger.first)
            #expect((promoted.id ?? 0) > newest)
            let data = try #require(promoted.data)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            #expect(document["kind"] as? String == "promoted" && document["environment"] as? String == "staging")
            #expect(document["digest"] as? String == digest.description && document["id"] as? Int64 == promoted.id)
            // The token event moves the id on without saying anything about it.
            let last = try #require(messages.last)
            #expect(last.event == nil && last.data == nil && (last.id ?? 0) > (promoted.id ?? 0))
            #expect(!String(buffer: stream.body).contains("token"))
        }
    }

    @Test("Last-Event-ID replays what came after it, oldest first, under --base-path; past the batch it says reset")
    func resumeAndReset() async throws {
        let fixture = ServerFixture()
        try await fixture.fill(promoteTo: ["dev", "staging"])
        let (_, viewer) = try await fixture.token(.viewer)
        let all = try await fixture.ledger.events(LedgerQuery(repository: ServerFixture.image))
        let promotions = all.filter { $0.kind == .promoted }.reversed().compactMap(\.id)
        let after = try #require(promotions.first) - 1
        try await fixture.application(Self.settings(basePath: "/berth", lifetime: .milliseconds(200))).test(.router) {
            client in
            var headers = HTTPFields.bearer(viewer)
            headers[HTTPField.Name("Last-Event-ID")!] = String(after)
            let stream = try await client.execute(uri: "/berth/api/v1/events", method: .get, headers: headers)
            #expect(stream.status == .ok)
            let messages = Self.messages(String(buffer: stream.body)).messages.filter { $0.event == "ledger" }
            #expect(messages.compactMap(\.id) == all.compactMap(\.id).filter { $0 > after && $0 <= promotions.last! }.sorted())
            #expect(messages.compactMap(\.id).contains(promotions.last!))
            let query = try await client.execute(
                uri: "/berth/api/v1/events?after=\(after)", method: .get, headers: .bearer(viewer))
            #expect(Self.messages(String(buffer: query.body)).messages.filter { $0.event == "ledger" } == messages)
            let bad = try await client.execute(
                uri: "/berth/api/v1/events", method: .get,
                headers: [.authorization: "Bearer \(viewer)", HTTPField.Name("Last-Event-ID")!: "yesterday"])
            #expect(bad.status == .badRequest)
        }
        try await fixture.application(Self.settings(lifetime: .milliseconds(200), batch: 2)).test(.router) { client in
            let stream = try await client.execute(uri: "/api/v1/events?after=0", method: .get, headers: .bearer(viewer))
            let messages = Self.messages(String(buffer: stream.body)).messages
            #expect(messages.first?.event == "reset", "too far behind: the board reloads instead")
            let newest = try await fixture.ledger.events(LedgerQuery(limit: 1)).first?.id
            #expect(messages.first?.id == newest, "and picks up at the newest id (a token event's, here)")
        }
    }

    @Test("no credentials: 401; a revoked token's stream ends at once with event: revoked")
    func authentication() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (token, viewer) = try await fixture.token(.viewer)
        try await fixture.application(Self.settings(lifetime: .seconds(20))).test(.router) { client in
            #expect(try await client.execute(uri: "/api/v1/events", method: .get).status == .unauthorized)
            let started = ContinuousClock.now
            async let response = client.execute(uri: "/api/v1/events", method: .get, headers: .bearer(viewer))
            try await Task.sleep(for: .milliseconds(200))
            try await fixture.revoke(token.id)
            let stream = try await response
            #expect(ContinuousClock.now - started < .seconds(10), "the stream ended long before its lifetime")
            #expect(Self.messages(String(buffer: stream.body)).messages.last?.event == "revoked")
            #expect(
                try await client.execute(uri: "/api/v1/events", method: .get, headers: .bearer(viewer)).status == .unauthorized)
        }
    }

    @Test("a shutdown ends the open streams at once instead of waiting out their lifetime")
    func shutdown() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, viewer) = try await fixture.token(.viewer)
        let settings = Self.settings(lifetime: .seconds(30))
        try await fixture.application(settings).test(.router) { client in
            let started = ContinuousClock.now
            async let response = client.execute(uri: "/api/v1/events", method: .get, headers: .bearer(viewer))
            try await Task.sleep(for: .milliseconds(200))
            settings.streams.begin()
            #expect(try await response.status == .ok)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("two servers on one ledger: an event recorded elsewhere reaches both streams (no state of their own)")
    func replicas() async throws {
        let fixture = ServerFixture()
        try await fixture.fill()
        let (_, viewer) = try await fixture.token(.viewer)
        let settings = Self.settings(lifetime: .milliseconds(700))
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await fixture.application(settings).test(.router) { client in
                        String(
                            buffer: try await client.execute(uri: "/api/v1/events", method: .get, headers: .bearer(viewer)).body)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            _ = try await HoldService(fixture.dependencies(actor: "ops")).hold(
                HoldRequest(repository: ServerFixture.image, environment: "prod", reason: "change freeze"))
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        for body in bodies {
            let held = Self.messages(body).messages.filter { $0.event == "ledger" }
            #expect(held.count == 1 && held.first?.data?.contains("\"kind\":\"held\"") == true, "\(body)")
        }
    }
}
