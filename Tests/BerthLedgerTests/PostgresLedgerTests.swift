import BerthCore
import BerthLedger
import BerthTestSupport
import Foundation
import Testing

/// The PostgreSQL ledger against a throwaway cluster (initdb / pg_ctl on 127.0.0.1).
@Suite("PostgreSQL ledger", .serialized)
struct PostgresLedgerTests {
    @Test("passes the ledger contract, append-only, exactly one winner among 32 racing writers", .requires(.postgresql))
    func contractAndRace() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var count = 0
        try await LedgerContract.verify {
            count += 1
            return try await PostgresLedger(url: try server.createDatabase("contract\(count)"))
        }

        let url = try server.createDatabase("race")
        _ = try await PostgresLedger(url: url)
        try await LedgerContract.verifyRace { try await PostgresLedger(url: url) }

        for statement in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"] {
            let result = try server.psql(statement, database: "race")
            #expect(result.status != 0 && result.stderr.contains("append-only"), "\(statement): \(result.stderr)")
        }
    }

    @Test(
        "a listening ledger learns of another's appends without a query, reads per call once its connection is killed, then listens again",
        .requires(.postgresql))
    func listensForAppends() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase("listen")
        let watching = try await PostgresLedger(url: url)
        let other = try await PostgresLedger(url: url)
        watching.listenForAppends()
        try await Self.waitUntil("the ledger listens", within: .seconds(10)) { watching.isListening }
        #expect(try await watching.newestEventID() == nil, "an empty ledger")

        // Another process's append arrives as a notification: no query, within the trust (1 s), in practice ms.
        let queries = watching.newestEventQueries
        let first = try await other.append(LedgerEvent(kind: .planned, repository: "r", actor: "a", time: 1))
        let seen = try await Self.waitUntil("the append is seen", within: PostgresLedger.trust) {
            try await watching.newestEventID() == first.id
        }
        #expect(watching.newestEventQueries == queries, "answered from memory, never by a query")
        print("listening ledger saw another process's append after \(seen)")
        // Its own append is seen at once, before its notification arrives.
        let own = try await watching.append(LedgerEvent(kind: .planned, repository: "r", actor: "a", time: 2))
        #expect(try await watching.newestEventID() == own.id)

        // The listening connection killed: every call queries until it is back.
        let killed = try server.psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '\(PostgresLedger.listenerName)'",
            database: "listen")
        #expect(killed.stdout.contains(" 1\n"), "one listening connection: \(killed.stdout)")
        try await Self.waitUntil("the loss is noticed", within: .seconds(1)) { !watching.isListening }
        let second = try await other.append(LedgerEvent(kind: .planned, repository: "r", actor: "a", time: 3))
        let before = watching.newestEventQueries
        #expect(try await watching.newestEventID() == second.id, "read from the database while nothing listens")
        #expect(watching.newestEventQueries == before + 1)

        try await Self.waitUntil("the ledger listens again", within: .seconds(10)) { watching.isListening }
        let third = try await other.append(LedgerEvent(kind: .planned, repository: "r", actor: "a", time: 4))
        let again = watching.newestEventQueries
        try await Self.waitUntil("the append is seen", within: PostgresLedger.trust) {
            try await watching.newestEventID() == third.id
        }
        #expect(watching.newestEventQueries == again)
    }

    @Test(
        "an append waits for an earlier open one to commit, so ids become visible in order (a cache keyed on the newest id misses none)",
        .requires(.postgresql))
    func appendsBecomeVisibleInIdOrder() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase("ordering")
        let ledger = try await PostgresLedger(url: url)
        try await ledger.append(LedgerEvent(kind: .planned, repository: "r", actor: "a", time: 1))
        // psql takes id 2 and holds its transaction open for 2 s.
        let slow = Locked<ShellResult?>(nil)
        let thread = Thread {
            let result = try? server.psql(
                """
                BEGIN; INSERT INTO events (kind, repository, actor, time, details) VALUES ('planned', 'r', 'slow', 2, '{}');
                SELECT pg_sleep(2); COMMIT;
                """, database: "ordering")
            slow.withLock { $0 = result }
        }
        thread.start()
        // Migration 5's lock (7242702), held by psql's transaction from its insert on.
        try await Self.waitUntil("psql holds the append lock", within: .seconds(10)) {
            try server.psql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7242702 AND granted",
                database: "ordering"
            )
            .stdout.contains(" 1\n")
        }
        let started = ContinuousClock.now
        let appended = try await ledger.append(LedgerEvent(kind: .planned, repository: "r", actor: "fast", time: 3))
        let waited = ContinuousClock.now - started
        #expect(appended.id == 3)
        #expect(waited > .milliseconds(500), "the append waited for the open one: \(waited)")
        let newest = try await ledger.events(LedgerQuery(limit: 3)).map(\.actor)
        #expect(newest == ["fast", "slow", "a"])
        try await Self.waitUntil("psql is done", within: .seconds(10)) { slow.current != nil }
        #expect(slow.current?.status == 0, "\(slow.current?.stderr ?? "")")
    }

    /// Polls `condition` every 5 ms until it holds, failing after `limit`; returns how long it took.
    @discardableResult
    static func waitUntil(_ what: String, within limit: Duration, _ condition: () async throws -> Bool) async throws
        -> Duration
    {
        let start = ContinuousClock.now
        while true {
            if try await condition() { return ContinuousClock.now - start }
            guard ContinuousClock.now - start < limit else {
                Issue.record("\(what): not within \(limit)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("a database that is down is a clear error that never shows the password")
    func down() async throws {
        let port = try FreePort.find()
        let error = await #expect(throws: BerthError.self) {
            try await PostgresLedger(url: "postgres://berth:s3cret@127.0.0.1:\(port)/ledger?sslmode=disable")
        }
        #expect(error?.message.contains("unreachable") == true)
        #expect(error?.message.contains("s3cret") == false)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }
}
