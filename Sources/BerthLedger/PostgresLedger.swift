import BerthCore
import Foundation
import Logging
import PostgresNIO

/// The ledger in PostgreSQL, for teams whose CI runners share one: the same events table as SQLite
/// (append-only by trigger, `once_key UNIQUE`), migrations applied once under an advisory lock.
public final class PostgresLedger: LedgerStore, Sendable {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    /// The URL without its password, for messages.
    public let displayName: String
    /// postgres-nio's logger: the password is scrubbed from whatever it logs.
    let logger: Logger
    /// How the listening connection connects (`listenForAppends`): as the first connection does.
    let listenConfiguration: PostgresConnection.Configuration
    /// The newest event id as the listening connection knows it, while it can vouch for it.
    let watch = Locked(NewestEventWatch(trust: PostgresLedger.trust))
    /// The task that keeps a listening connection, once `listenForAppends` started it.
    let listener = Locked<Task<Void, Never>?>(nil)
    /// How many times `newestEventID` asked the database (the listening connection could not vouch).
    let newestQueries = Locked(0)

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=disable|prefer|require`, parsed
    /// by `LedgerLocation.Postgres`) and migrates the schema.
    public convenience init(url text: String) async throws {
        try await self.init(configuration: try LedgerLocation.Postgres(url: text))
    }

    /// Connects and migrates the schema. No message (error or log) shows the password.
    public init(configuration location: LedgerLocation.Postgres) async throws {
        displayName = location.description
        let logger = Logger(label: "berth.ledger.postgres") { [handler = Logger(label: "berth.ledger.postgres").handler] _ in
            RedactingLogHandler(wrapping: handler, location: location)
        }
        self.logger = logger
        let tls: PostgresClient.Configuration.TLS
        let firstTLS: PostgresConnection.Configuration.TLS
        switch location.sslMode {
        case .disable: (tls, firstTLS) = (.disable, .disable)
        case .require:
            (tls, firstTLS) = (
                .require(.makeClientConfiguration()), .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            )
        case .prefer:
            (tls, firstTLS) = (
                .prefer(.makeClientConfiguration()), .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            )
        }
        let (host, port, user, password, database) = (
            location.host, location.port, location.user, location.password, location.database
        )
        // The first connection is made directly, and migrates: a server that is down or refuses fails
        // now, with its reason. The pool would retry in the background and the query wait (66 s).
        var first = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: firstTLS)
        first.options.connectTimeout = .seconds(10)
        var listening = first
        // Named, so an operator (or a test) can tell it from the pool's in pg_stat_activity.
        listening.options.additionalStartupParameters.append(("application_name", Self.listenerName))
        listenConfiguration = listening
        do {
            let connection = try await PostgresConnection.connect(configuration: first, id: 0, logger: logger)
            do { try await Self.migrate(on: connection, logger: logger) } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            throw BerthError(
                .failure,
                "ledger \(displayName) is unreachable or refused: \(location.scrubbed(Self.describe(error))); "
                    + "check the server, the URL and the credentials"
            )
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        client = PostgresClient(configuration: configuration)
        let client = self.client
        runner = Task { await client.run() }
    }

    /// Closing the connections: the client's run task ends with the ledger.
    deinit {
        runner.cancel()
        listener.withLock { $0?.cancel() }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? PSQLError {
            return error.serverInfo?[.message] ?? "\(error.code)"
        }
        return "\(error)"
    }

    private static func migrate(on connection: PostgresConnection, logger: Logger) async throws {
        // One migrator at a time, across processes and runners.
        try await connection.query("SELECT pg_advisory_lock(7242701)", logger: logger)
        do {
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS berth_migrations (version INT PRIMARY KEY)", logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM berth_migrations", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for (version, statements) in Self.migrations where !applied.contains(version) {
                try await connection.query("BEGIN", logger: logger)
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO berth_migrations (version) VALUES (\(version))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            }
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            _ = try? await connection.query("SELECT pg_advisory_unlock(7242701)", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(7242701)", logger: logger)
    }

    /// The same schema as SQLite's (LedgerSchema), in PostgreSQL's dialect.
    static let migrations: [(Int, [String])] = [
        (
            1,
            [
                """
                CREATE TABLE events (
                  id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, repository TEXT NOT NULL, version TEXT, digest TEXT, environment TEXT,
                  git_sha TEXT, actor TEXT NOT NULL, time DOUBLE PRECISION NOT NULL, reason TEXT, details TEXT NOT NULL, once_key TEXT UNIQUE)
                """,
                "CREATE INDEX events_by_environment ON events(repository, kind, environment, id)",
                "CREATE INDEX events_by_version ON events(repository, version, id)",
                """
                CREATE FUNCTION berth_append_only() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'the berth ledger is append-only'; END $$
                """,
                "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION berth_append_only()",
            ]
        ),
        (2, ["CREATE INDEX events_by_repository_environment ON events(repository, environment, id)"]),
        (
            3,
            [
                // What each environment runs, kept by a trigger as events arrive (a derived table: the
                // events stay the record). The kinds are environmentChangingKinds; the contract's status
                // rule covers each of them.
                """
                CREATE TABLE environment_heads (
                  repository TEXT NOT NULL, environment TEXT NOT NULL, event_id BIGINT NOT NULL REFERENCES events(id),
                  PRIMARY KEY (repository, environment))
                """,
                """
                CREATE FUNCTION berth_track_environment_head() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                  INSERT INTO environment_heads (repository, environment, event_id) VALUES (NEW.repository, NEW.environment, NEW.id)
                  ON CONFLICT (repository, environment) DO UPDATE SET event_id = GREATEST(environment_heads.event_id, EXCLUDED.event_id);
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER events_track_environment_head AFTER INSERT ON events FOR EACH ROW
                WHEN (NEW.kind IN ('promoted', 'deployed', 'rolled-back') AND NEW.environment IS NOT NULL)
                EXECUTE FUNCTION berth_track_environment_head()
                """,
                """
                INSERT INTO environment_heads (repository, environment, event_id)
                SELECT DISTINCT ON (repository, environment) repository, environment, id FROM events
                WHERE kind IN ('promoted', 'deployed', 'rolled-back') AND environment IS NOT NULL
                ORDER BY repository, environment, id DESC
                """,
            ]
        ),
        // What the ledger says about one digest (the board's cells, a promotion's facts).
        (4, ["CREATE INDEX events_by_digest ON events(digest, id)"]),
        (
            5,
            [
                // Ids in the order appends become visible. A BIGSERIAL id is taken at INSERT and shown at
                // COMMIT, so two writers could show 101 before 100, and a cache keyed on the newest id (the
                // board, the tokens) would never see 100 — a revocation among them. Each appending
                // transaction holds this lock from before its first id is taken until it commits (released
                // after its rows are visible), so a reader that sees an id sees every smaller one.
                """
                CREATE FUNCTION berth_order_appends() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                  PERFORM pg_advisory_xact_lock(7242702);
                  RETURN NULL;
                END $$
                """,
                "CREATE TRIGGER events_order_appends BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION berth_order_appends()",
                // Each append tells the listening servers (`listenForAppends`) its newest id, at commit.
                """
                CREATE FUNCTION berth_notify_append() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE newest BIGINT;
                BEGIN
                  SELECT max(id) INTO newest FROM appended;
                  IF newest IS NOT NULL THEN PERFORM pg_notify('berth_events', newest::text); END IF;
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER events_notify_append AFTER INSERT ON events REFERENCING NEW TABLE AS appended
                FOR EACH STATEMENT EXECUTE FUNCTION berth_notify_append()
                """,
            ]
        ),
    ]

    public func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] {
        // One event is one statement (atomic by itself); several share a transaction.
        if events.count == 1 { return noted([try await insertReportingConflict(events[0], on: nil)]) }
        do {
            return noted(
                try await client.withTransaction(logger: self.logger) { connection in
                    var appended: [LedgerEvent] = []
                    for event in events {
                        do {
                            appended.append(try await insert(event, on: connection))
                        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                            throw LedgerConflict(key: event.onceKey ?? "", existing: nil)
                        }
                    }
                    return appended
                })
        } catch let error as PostgresTransactionError {
            // The holder is read after the rollback: the aborted transaction can't be queried.
            if let conflict = error.closureError as? LedgerConflict {
                throw LedgerConflict(key: conflict.key, existing: try await event(onceKey: conflict.key))
            }
            throw error.closureError ?? error
        }
    }

    /// `appended`, committed: this process sees their ids at once, before its own notification arrives.
    private func noted(_ appended: [LedgerEvent]) -> [LedgerEvent] {
        if let newest = appended.compactMap(\.id).max() { watch.withLock { $0.raise(to: newest) } }
        return appended
    }

    /// Inserts `event`, turning a duplicate once key into `LedgerConflict`. `connection` nil: any pooled one.
    private func insertReportingConflict(_ event: LedgerEvent, on connection: PostgresConnection?) async throws
        -> LedgerEvent
    {
        do {
            return try await insert(event, on: connection)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let key = event.onceKey ?? ""
            throw LedgerConflict(key: key, existing: try await self.event(onceKey: key))
        }
    }

    private func insert(_ event: LedgerEvent, on connection: PostgresConnection?) async throws -> LedgerEvent {
        let details = SQLiteLedger.encode(event.details)
        let query: PostgresQuery = """
            INSERT INTO events (kind, repository, version, digest, environment, git_sha, actor, time, reason, details, once_key)
            VALUES (\(event.kind.rawValue), \(event.repository), \(event.version), \(event.digest), \(event.environment),
                    \(event.gitSHA), \(event.actor), \(event.time), \(event.reason), \(details), \(event.onceKey))
            RETURNING id
            """
        let rows =
            if let connection {
                try await connection.query(query, logger: self.logger)
            } else {
                try await client.query(query, logger: self.logger)
            }
        var appended = event
        for try await id in rows.decode(Int64.self) { appended.id = id }
        return appended
    }

    public func events(_ query: LedgerQuery) async throws -> [LedgerEvent] {
        // Filters are bound parameters; NULL means "any".
        let kinds = query.kinds.map { $0.map(\.rawValue).sorted() }
        let limit = query.limit.map { Int64(max(0, $0)) }
        return try await fetch(
            """
            SELECT id, kind, repository, version, digest, environment, git_sha, actor, time, reason, details, once_key FROM events
            WHERE (\(query.repository)::text IS NULL OR repository = \(query.repository))
              AND (\(query.environment)::text IS NULL OR environment = \(query.environment))
              AND (\(query.version)::text IS NULL OR version = \(query.version))
              AND (\(query.digest)::text IS NULL OR digest = \(query.digest))
              AND (\(kinds)::text[] IS NULL OR kind = ANY(\(kinds)))
              AND (\(query.after)::bigint IS NULL OR id > \(query.after))
            ORDER BY id DESC LIMIT \(limit)
            """)
    }

    public func event(onceKey: String) async throws -> LedgerEvent? {
        try await fetch(
            """
            SELECT id, kind, repository, version, digest, environment, git_sha, actor, time, reason, details, once_key FROM events
            WHERE once_key = \(onceKey)
            """
        ).first
    }

    public func status(repository: String) async throws -> [EnvironmentState] {
        // environment_heads (migration 3) holds each environment's newest changing event: a primary-key
        // range and a join, whatever the table's statistics. Queries over events alone were at the
        // planner's mercy: with fresh statistics it walked the primary key backwards through every
        // event of an environment no promotion had touched (260 ms at 100,000 events).
        try await fetch(
            """
            SELECT e.id, e.kind, e.repository, e.version, e.digest, e.environment, e.git_sha, e.actor, e.time, e.reason,
                   e.details, e.once_key
            FROM environment_heads h JOIN events e ON e.id = h.event_id
            WHERE h.repository = \(repository) ORDER BY e.environment
            """
        ).map {
            EnvironmentState(environment: $0.environment ?? "", version: $0.version, digest: $0.digest, since: $0.time, event: $0)
        }
    }

    /// From memory while the listening connection vouches for it (`listenForAppends`), else one query.
    public func newestEventID() async throws -> Int64? {
        if let known = watch.withLock({ $0.vouched(at: .now) }) { return known == 0 ? nil : known }
        newestQueries.withLock { $0 += 1 }
        var newest: Int64?
        for try await id in try await client.query("SELECT max(id) FROM events", logger: logger).decode(Int64?.self) {
            newest = id
        }
        return newest
    }

    public func repositories() async throws -> [String] {
        // A skip scan over the (repository, …) index: one probe per repository, not one row per event.
        var names: [String] = []
        let rows = try await client.query(
            """
            WITH RECURSIVE r(repo) AS (
              SELECT MIN(repository) FROM events
              UNION ALL SELECT (SELECT MIN(repository) FROM events WHERE repository > r.repo) FROM r WHERE r.repo IS NOT NULL
            ) SELECT repo FROM r WHERE repo IS NOT NULL
            """, logger: self.logger)
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    private func fetch(_ query: PostgresQuery) async throws -> [LedgerEvent] {
        var events: [LedgerEvent] = []
        let rows = try await client.query(query, logger: self.logger)
        for try await (id, kind, repository, version, digest, environment, gitSHA, actor, time, reason, details, onceKey)
            in rows.decode(
                (Int64, String, String, String?, String?, String?, String?, String, Double, String?, String, String?).self)
        {
            var event = LedgerEvent(
                kind: LedgerEvent.Kind(rawValue: kind) ?? .planned, repository: repository, version: version, digest: digest,
                environment: environment, gitSHA: gitSHA, actor: actor, time: time, reason: reason,
                details: (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:], onceKey: onceKey)
            event.id = id
            events.append(event)
        }
        return events
    }
}

/// A log handler that scrubs a ledger's password from everything postgres-nio logs (message, metadata,
/// error) before the handler berth's logging system chose sees it.
struct RedactingLogHandler: LogHandler {
    var wrapped: any LogHandler
    let location: LedgerLocation.Postgres

    init(wrapping wrapped: any LogHandler, location: LedgerLocation.Postgres) {
        (self.wrapped, self.location) = (wrapped, location)
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(location.scrubbed(event.message.description))"
        var metadata = event.metadata?.mapValues { Logger.MetadataValue.string(location.scrubbed($0.description)) }
        if let error = event.error {
            metadata = (metadata ?? [:]).merging(["error": .string(location.scrubbed("\(error)"))]) { _, new in new }
            event.error = nil
        }
        event.metadata = metadata
        wrapped.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map { .string(location.scrubbed($0.description)) } }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues { .string(location.scrubbed($0.description)) } }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }
}
