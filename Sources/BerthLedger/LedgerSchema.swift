import GRDB

/// The ledger's schema, one migration per version (`PRAGMA user_version`); a newer berth adds
/// migrations, never edits one. All of them run in one IMMEDIATE transaction that first re-reads the
/// version, so berth processes opening a new ledger at once migrate it exactly once (GRDB's migrator
/// checks outside the write lock, and two processes both created the table).
enum LedgerSchema {
    static let migrations: [(version: Int, sql: String)] = [
        (
            1,
            """
            CREATE TABLE events (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              kind TEXT NOT NULL,
              repository TEXT NOT NULL,
              version TEXT,
              digest TEXT,
              environment TEXT,
              git_sha TEXT,
              actor TEXT NOT NULL,
              time REAL NOT NULL,
              reason TEXT,
              details TEXT NOT NULL,
              once_key TEXT UNIQUE
            );
            CREATE INDEX events_by_environment ON events(repository, kind, environment, id);
            CREATE INDEX events_by_version ON events(repository, version, id);
            CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
              BEGIN SELECT RAISE(ABORT, 'the berth ledger is append-only'); END;
            CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
              BEGIN SELECT RAISE(ABORT, 'the berth ledger is append-only'); END;
            """
        ),
        // `berth history --env E` reads one environment newest first; v1's status index leads with kind.
        (2, "CREATE INDEX events_by_repository_environment ON events(repository, environment, id);"),
        // What the ledger says about one digest (the board's cells, a promotion's facts): a handful of rows,
        // which the (repository, kind, …) index found only by reading every gate decision of the repository.
        (3, "CREATE INDEX events_by_digest ON events(digest, id);"),
    ]

    static func migrate(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            do {
                let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                for migration in migrations where migration.version > current {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                }
                try db.execute(sql: "COMMIT")
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
        }
    }
}
