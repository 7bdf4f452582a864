import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// The server's board: read from the ledger again only when the ledger grew or an approval expired.
@Suite("BoardCache")
struct BoardCacheTests {
    static let repository = "registry.example/acme/api"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    /// Counts the status reads a board makes (one per repository), passing everything to a ledger in memory.
    final class CountingLedger: LedgerStore, Sendable {
        let inner = InMemoryLedger()
        let statusReads = Locked(0)

        func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] { try await inner.append(all: events) }
        func events(_ query: LedgerQuery) async throws -> [LedgerEvent] { try await inner.events(query) }
        func event(onceKey: String) async throws -> LedgerEvent? { try await inner.event(onceKey: onceKey) }
        func status(repository: String) async throws -> [EnvironmentState] {
            statusReads.withLock { $0 += 1 }
            return try await inner.status(repository: repository)
        }
        func repositories() async throws -> [String] { try await inner.repositories() }
        func checkWritable() async throws {}
    }

    func event(_ kind: LedgerEvent.Kind, _ environment: String, details: [String: String] = [:]) -> LedgerEvent {
        LedgerEvent(
            kind: kind, repository: Self.repository, version: "1.0.0", digest: Self.digest, environment: environment,
            actor: "alice", time: 100, details: details)
    }

    @Test("a second read of an unchanged ledger reads no status; an append, or another set of repositories, reads again")
    func readsAgainOnlyAfterAChange() async throws {
        let ledger = CountingLedger()
        _ = try await ledger.append(all: [event(.promoted, "dev")])
        let cache = BoardCache(queries: LedgerQueries(ledger: ledger, environmentOrder: ["dev", "prod"]))
        let first = try await cache.board(now: 200)
        let second = try await cache.board(now: 260)
        #expect(ledger.statusReads.current == 1)
        #expect(first.rows == second.rows && second.time == 260, "the same board, its ages counted from the second read")

        _ = try await ledger.append(all: [event(.promoted, "prod")])
        let third = try await cache.board(now: 300)
        #expect(ledger.statusReads.current == 2)
        #expect(third.rows[0].cells.map { $0.state?.environment } == ["dev", "prod"])

        _ = try await cache.board(repositories: [Self.repository, "registry.example/acme/other"], now: 300)
        #expect(ledger.statusReads.current == 4, "a board of other repositories is another board")
    }

    @Test("an approval that expires while the ledger stands still leaves the board at its expiry")
    func readsAgainWhenAnApprovalExpires() async throws {
        let ledger = CountingLedger()
        let recorded = try await ledger.append(all: [
            event(.promoted, "dev"),
            event(.gateEvaluated, "prod", details: ["outcome": "needs-approval", "counts.high": "1"]),
        ])
        let gate = try #require(recorded[1].id)
        _ = try await ledger.append(all: [
            event(.approved, "prod", details: ["gate": String(gate), "outcome": "needs-approval", "expires": "1000"])
        ])
        let cache = BoardCache(queries: LedgerQueries(ledger: ledger, environmentOrder: ["dev", "prod"]))
        #expect(try await cache.board(now: 500).rows[0].cells[0].next?.approvals.count == 1)
        #expect(try await cache.board(now: 999).rows[0].cells[0].next?.approvals.count == 1)
        #expect(ledger.statusReads.current == 1)
        #expect(try await cache.board(now: 1001).rows[0].cells[0].next?.approvals.isEmpty == true)
        #expect(ledger.statusReads.current == 2)
    }

    @Test("a rendering is made once per second; the next second is answered from the last while it renders; a new event never is")
    func renderings() async throws {
        let ledger = CountingLedger()
        _ = try await ledger.append(all: [event(.promoted, "dev")])
        let cache = BoardCache(queries: LedgerQueries(ledger: ledger, environmentOrder: ["dev", "prod"]))
        let renders = Locked<[Double]>([])
        // The board's time, and how many cells it has: what a page of it would show.
        func render(now: Double) async throws -> String {
            try await cache.rendering("page", now: now) { board in
                renders.withLock { $0.append(board.time) }
                return "\(Int(board.time)) \(board.rows[0].cells.compactMap(\.state).count)"
            }
        }
        #expect(try await render(now: 200.1) == "200 1")
        #expect(try await render(now: 200.9) == "200 1")
        #expect(renders.current == [200.1], "once per second")

        // The next second: answered at once with the last, while its own rendering is made beside.
        #expect(try await render(now: 201.2) == "200 1")
        var waited = 0
        while renders.current.count < 2 && waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(try await render(now: 201.5) == "201 1")
        #expect(renders.current == [200.1, 201.2])

        // Seconds later nothing that old is served: the request waits for its own.
        #expect(try await render(now: 205.0) == "205 1")

        // A new event: the next request waits for a board that has it, within the same second too.
        _ = try await ledger.append(all: [event(.promoted, "prod")])
        #expect(try await render(now: 205.5) == "205 2")
        #expect(ledger.statusReads.current == 2)
    }

    @Test("requests of a new board share one rendering")
    func sharedRendering() async throws {
        let ledger = CountingLedger()
        _ = try await ledger.append(all: [event(.promoted, "dev")])
        let cache = BoardCache(queries: LedgerQueries(ledger: ledger, environmentOrder: ["dev", "prod"]))
        let renders = Locked(0)
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.rendering("api", now: 300) { board in
                        renders.withLock { $0 += 1 }
                        Thread.sleep(forTimeInterval: 0.05)
                        return "\(board.rows.count)"
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: "1", count: 20))
        #expect(renders.current == 1)
    }
}
