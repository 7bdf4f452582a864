import GRDB

/// The ledger's schema, one migration per version; a newer berth adds migrations, never edits one.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events") { db in
            try db.execute(
                sql: """
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
                    """)
        }
        migrator.registerMigration("v2: history by environment") { db in
            // `berth history --env E` reads one environment newest first; v1's status index leads with kind.
            try db.execute(sql: "CREATE INDEX events_by_repository_environment ON events(repository, environment, id)")
        }
        return migrator
    }
}
