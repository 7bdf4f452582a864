import BerthCore
import Foundation
import GRDB

/// The ledger in a SQLite file. WAL and immediate write transactions with a busy timeout let many
/// berth processes (parallel CI jobs on one runner) append to one file; `once_key UNIQUE` makes an
/// exactly-once event (a release) win for exactly one of them.
public final class SQLiteLedger: LedgerStore, Sendable {
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating it and its directory when absent) and migrates the ledger at `path`.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try LedgerSchema.migrate(pool)
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw BerthError(
                .failure,
                "ledger '\(path)' is not a berth ledger (corrupt, or another file): move it aside and keep it for inspection; berth starts a new one there"
            )
        } catch let error as DatabaseError {
            throw BerthError(
                .failure,
                "ledger '\(path)' can't be opened: \(error.message ?? "\(error.resultCode)"); check the path and its permissions")
        }
    }

    public func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] {
        var inserting: LedgerEvent?
        do {
            return try appendBlocking { db in
                // A cached statement: parsed once per connection, not per event.
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO events (kind, repository, version, digest, environment, git_sha, actor, time, reason, details, once_key)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                return try events.map { event in
                    inserting = event
                    try insert.execute(arguments: [
                        event.kind.rawValue, event.repository, event.version, event.digest, event.environment, event.gitSHA,
                        event.actor, event.time, event.reason, Self.encode(event.details), event.onceKey,
                    ])
                    var appended = event
                    appended.id = db.lastInsertedRowID
                    return appended
                }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let key = inserting?.onceKey ?? ""
            throw LedgerConflict(key: key, existing: try await self.event(onceKey: key))
        } catch let error as DatabaseError {
            throw writeFailure(error)
        }
    }

    /// A write the file system refused, said in one line with what to do. Nothing of the transaction
    /// was written; the command's re-run records what this run did.
    func writeFailure(_ error: DatabaseError) -> BerthError {
        let why =
            switch error.resultCode {
            case .SQLITE_FULL: "the disk is full"
            case .SQLITE_READONLY: "it is read-only"
            case .SQLITE_IOERR: "the file system reported an I/O error"
            case .SQLITE_BUSY, .SQLITE_LOCKED: "another process held it for more than 60 s"
            default: error.message ?? "\(error.resultCode)"
            }
        return BerthError(
            .failure,
            "ledger '\(path)' can't be written: \(why); fix that and run the command again (it converges and records what this run did)"
        )
    }

    /// Checks that a write can start (the file and its directory are writable, no lock is stuck), so a
    /// command that changes a registry or git fails before it changes anything.
    public func checkWritable() async throws {
        do {
            try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
        } catch let error as DatabaseError {
            throw writeFailure(error)
        }
    }

    /// GRDB's synchronous write (one transaction, rolled back on a throw): an append is ~100 µs of
    /// SQLite, and the async variant's thread hop costs about as much again (scripts/bench-lifecycle.sh).
    private func appendBlocking(_ body: (Database) throws -> [LedgerEvent]) throws -> [LedgerEvent] {
        try pool.write(body)
    }

    public func events(_ query: LedgerQuery) async throws -> [LedgerEvent] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        func add(_ column: String, _ value: String?) {
            guard let value else { return }
            clauses.append("\(column) = ?")
            arguments += [value]
        }
        add("repository", query.repository)
        add("environment", query.environment)
        add("version", query.version)
        add("digest", query.digest)
        if let kinds = query.kinds {
            clauses.append("kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))")
            arguments += StatementArguments(kinds.map(\.rawValue).sorted())
        }
        if let after = query.after {
            clauses.append("id > ?")
            arguments += [after]
        }
        // A digest names a handful of events; without statistics SQLite would rather walk the repository's
        // (repository, kind, …) range, every gate decision of it.
        var sql = query.digest == nil ? "SELECT * FROM events" : "SELECT * FROM events INDEXED BY events_by_digest"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY id DESC"
        if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
        let finalSQL = sql
        let finalArguments = arguments
        return try await pool.read { db in try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.event) }
    }

    public func event(onceKey: String) async throws -> LedgerEvent? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM events WHERE once_key = ?", arguments: [onceKey]).map(Self.event)
        }
    }

    public func status(repository: String) async throws -> [EnvironmentState] {
        let kinds = environmentChangingKinds.map(\.rawValue).sorted()
        let rows = try await pool.read { db in
            // One index range per environment (events_by_environment): fast at any ledger size.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.* FROM events e JOIN (
                      SELECT environment, MAX(id) AS id FROM events INDEXED BY events_by_environment
                      WHERE repository = ? AND kind IN (?, ?, ?) AND environment IS NOT NULL GROUP BY environment
                    ) latest ON e.id = latest.id ORDER BY e.environment
                    """,
                arguments: StatementArguments([repository] + kinds))
        }
        return rows.map(Self.event).map {
            EnvironmentState(environment: $0.environment ?? "", version: $0.version, digest: $0.digest, since: $0.time, event: $0)
        }
    }

    public func repositories() async throws -> [String] {
        // A skip scan over the (repository, …) index: one probe per repository, not one row per event.
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE r(repo) AS (
                      SELECT MIN(repository) FROM events
                      UNION ALL SELECT (SELECT MIN(repository) FROM events WHERE repository > r.repo) FROM r WHERE r.repo IS NOT NULL
                    ) SELECT repo FROM r WHERE repo IS NOT NULL
                    """)
        }
    }

    /// `details` as JSON with sorted keys, written by hand: JSONEncoder cost a fifth of an append.
    static func encode(_ details: [String: String]) -> String {
        var out = "{"
        for (index, key) in details.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            out += quoted(key) + ":" + quoted(details[key]!)
        }
        return out + "}"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func event(_ row: Row) -> LedgerEvent {
        let detailsText: String = row["details"]
        var event = LedgerEvent(
            kind: LedgerEvent.Kind(rawValue: row["kind"]) ?? .planned, repository: row["repository"], version: row["version"],
            digest: row["digest"], environment: row["environment"], gitSHA: row["git_sha"], actor: row["actor"],
            time: row["time"],
            reason: row["reason"],
            details: (try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8))) ?? [:],
            onceKey: row["once_key"])
        event.id = row["id"]
        return event
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
