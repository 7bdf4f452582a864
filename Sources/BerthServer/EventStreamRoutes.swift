import BerthCore
import Foundation
import HTTPTypes
import Hummingbird

/// How `/api/v1/events` paces itself: how often it reads the ledger, how long it may stay silent before a
/// heartbeat comment, and how long one stream lives before the server ends it (the browser's
/// `EventSource` reconnects on its own with `Last-Event-ID`, so nothing is lost, the credential is checked
/// again, and a graceful shutdown waits for no stream longer than that).
public struct EventStreamTiming: Sendable {
    public var poll: Duration
    public var heartbeat: Duration
    public var lifetime: Duration
    /// The most events one read sends; more than that since the last id and the stream says `reset` instead.
    public var batch: Int

    public init(
        poll: Duration = .seconds(1), heartbeat: Duration = .seconds(15), lifetime: Duration = .seconds(25), batch: Int = 200
    ) {
        self.poll = poll
        self.heartbeat = heartbeat
        self.lifetime = lifetime
        self.batch = batch
    }
}

/// `GET /api/v1/events`: the ledger as server-sent events (`text/event-stream`). Each stream reads the
/// ledger for the events after the last id it sent, so replicas on one PostgreSQL need nothing shared
/// but the ledger: the `id:` of each message is the ledger's event id, and a reconnecting client's
/// `Last-Event-ID` (or `?after=`) picks up where it stopped. A viewer may subscribe (a session cookie
/// works, so the board's script can); token events are never sent.
struct EventStreamRoutes {
    let dependencies: ServerDependencies
    let timing: EventStreamTiming
    let shutdown: StreamShutdown

    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    func register(on group: RouterGroup<ServerContext>) {
        group.get("events") { request, context in
            guard let principal = context.principal, principal.allows(.viewer) else {
                return APIError.response(.forbidden, "this token can't read the ledger's events: it needs viewer")
            }
            let given = request.headers[Self.lastEventID] ?? request.uri.queryParameters["after"].map(String.init)
            let start: Int64
            if let given {
                guard let id = Int64(given.trimmingCharacters(in: .whitespaces)), id >= 0 else {
                    return APIError.response(
                        .badRequest, "Last-Event-ID '\(HTML.bounded(given))': use an event id this stream sent")
                }
                start = id
            } else {
                // A new subscriber wants what happens from now on; the page it loaded shows the rest.
                start = try await dependencies.lifecycle.ledger.events(LedgerQuery(limit: 1)).first?.id ?? 0
            }
            let tokens = dependencies.tokens
            let stream = EventStream(ledger: dependencies.lifecycle.ledger, timing: timing, shutdown: shutdown) {
                // `--auth none` has no token to lose; a token has, once revoked or expired.
                guard let id = principal.tokenID else { return true }
                return try await tokens.all().first { $0.id == id }?.isUsable(at: tokens.time.now()) ?? false
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
                    HTTPField.Name("X-Accel-Buffering")!: "no",
                ],
                body: ResponseBody { writer in
                    try await stream.run(after: start) { text in try await writer.write(ByteBuffer(string: text)) }
                    try await writer.finish(nil)
                })
        }
    }
}

/// One subscriber's stream: polls the ledger after the last id sent and writes each event as a message.
struct EventStream: Sendable {
    let ledger: any LedgerStore
    let timing: EventStreamTiming
    let shutdown: StreamShutdown
    /// Whether the subscriber's credential still holds, asked after a token is revoked: a stream of a
    /// revoked token ends at once.
    let stillAllowed: @Sendable () async throws -> Bool

    /// What one read of the ledger gives: the messages to write, the new last id, and whether to stop.
    struct Step: Equatable {
        var text: String
        var last: Int64
        /// A token was revoked: the credential must be checked again.
        var revocation: Bool
    }

    /// Writes messages through `write` until the lifetime ends, the server shuts down, the task is
    /// cancelled, the subscriber's token is revoked, or a write fails (the client went away).
    func run(after start: Int64, write: (String) async throws -> Void) async throws {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timing.lifetime)
        var last = start
        var quietSince = clock.now
        try await write("retry: 2000\n: berth ledger events after \(start)\n\n")
        while !Task.isCancelled, !shutdown.isShuttingDown, clock.now < end {
            let step = try await read(after: last)
            last = step.last
            if !step.text.isEmpty {
                try await write(step.text)
                quietSince = clock.now
            } else if clock.now - quietSince >= timing.heartbeat {
                try await write(": heartbeat\n\n")
                quietSince = clock.now
            }
            if step.revocation, !(try await stillAllowed()) {
                try await write("event: revoked\ndata: {}\n\n")
                return
            }
            // Short naps, so a shutdown ends the stream within a fraction of a second.
            let wake = clock.now.advanced(by: timing.poll)
            while clock.now < wake, !shutdown.isShuttingDown, !Task.isCancelled {
                try? await Task.sleep(for: min(timing.poll, .milliseconds(100)))
            }
        }
    }

    /// The messages for the events after `last`, oldest first; past `timing.batch` of them one `reset`
    /// message instead (the board reloads), with the newest id.
    func read(after last: Int64) async throws -> Step {
        let events = try await ledger.events(LedgerQuery(limit: timing.batch + 1, after: last))
        guard let newest = events.first?.id else { return Step(text: "", last: last, revocation: false) }
        if events.count > timing.batch {
            return Step(
                text: "id: \(newest)\nevent: reset\ndata: {}\n\n", last: newest,
                revocation: events.contains { $0.kind == .tokenRevoked })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        var revocation = false
        for event in events.reversed() {
            guard let id = event.id else { continue }
            if event.repository == AccessToken.ledgerRepository {
                revocation = revocation || event.kind == .tokenRevoked
                // Token events are no one's business on the board; the id still moves on past them.
                text += "id: \(id)\n\n"
                continue
            }
            // JSON has no raw newlines, so the event is one `data:` line.
            let data = String(decoding: try encoder.encode(APIDocuments.event(event)), as: UTF8.self)
            text += "id: \(id)\nevent: ledger\ndata: \(data)\n\n"
        }
        return Step(text: text, last: newest, revocation: revocation)
    }
}
