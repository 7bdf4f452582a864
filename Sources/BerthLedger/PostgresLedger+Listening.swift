import BerthCore
import Logging
import PostgresNIO

extension PostgresLedger {
    /// How long one read on the listening connection vouches for it (`NewestEventWatch.trust`): the
    /// longest another process's append can go unseen here while the connection looks alive.
    public static let trust: Duration = .seconds(1)
    /// How often the listening connection reads the newest id: a notification lost without the
    /// connection failing is made good by the next read, and each read renews the trust.
    static let heartbeat: Duration = .milliseconds(250)
    /// The channel migration 5's trigger notifies each append's newest id on.
    static let channel = "berth_events"
    /// The listening connection's `application_name`.
    public static let listenerName = "berth-listen"

    /// Keeps the ledger's newest event id in memory from a connection of its own that LISTENs for
    /// appends (`berth serve`), so `newestEventID` costs no query while that connection holds. When it
    /// fails, is killed or stops answering, `newestEventID` reads the id on every call again at once,
    /// and the connection is made again (after 0.1 s, doubling to 5 s). Calling it again changes nothing.
    public func listenForAppends() {
        listener.withLock { task in
            guard task == nil else { return }
            task = Task { [configuration = listenConfiguration, watch, logger] in
                await Self.listen(configuration: configuration, watch: watch, logger: logger)
            }
        }
    }

    /// Whether the listening connection vouches for the newest id now (for tests and logs).
    public var isListening: Bool { watch.withLock { $0.vouched(at: .now) != nil } }

    /// How many times `newestEventID` has queried the database because no listening connection vouched.
    public var newestEventQueries: Int { newestQueries.current }

    private static func listen(
        configuration: PostgresConnection.Configuration, watch: Locked<NewestEventWatch>, logger: Logger
    ) async {
        var wait: Duration = .milliseconds(100)
        var id = 1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
                id += 1
                do {
                    try await connection.listen(on: channel) { notifications in
                        wait = .milliseconds(100)
                        try await follow(notifications, on: connection, watch: watch, logger: logger)
                    }
                } catch {
                    watch.withLock { $0.lost() }
                    if !Task.isCancelled {
                        logger.warning(
                            "the ledger's listening connection was lost: each request reads the newest event id until it is back",
                            metadata: ["error": "\(describe(error))"])
                    }
                }
                try? await connection.close()
            } catch {
                watch.withLock { $0.lost() }
            }
            try? await Task.sleep(for: wait)
            wait = min(wait * 2, .seconds(5))
        }
        watch.withLock { $0.lost() }
    }

    /// Follows one listening connection until it fails: notifications raise the newest id, a read every
    /// heartbeat renews the trust, and a watchdog closes a connection whose reads stopped answering (a
    /// hung query would otherwise hold the reconnection back).
    private static func follow(
        _ notifications: PostgresNotificationSequence, on connection: PostgresConnection, watch: Locked<NewestEventWatch>,
        logger: Logger
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await notification in notifications {
                    if let id = Int64(notification.payload) { watch.withLock { $0.raise(to: id) } }
                }
                throw ListeningLost()
            }
            group.addTask {
                var first = true
                while true {
                    let sent = ContinuousClock.now
                    var newest: Int64?
                    let rows = try await connection.query("SELECT max(id) FROM events", logger: logger)
                    for try await id in rows.decode(Int64?.self) { newest = id }
                    watch.withLock { $0.read(newest, sentAt: sent) }
                    if first {
                        logger.debug("listening for the ledger's appends", metadata: ["newest": "\(newest ?? 0)"])
                        first = false
                    }
                    try await Task.sleep(for: heartbeat)
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: trust)
                    guard watch.withLock({ $0.vouched(at: .now) }) != nil else {
                        throw ListeningLost()
                    }
                }
            }
            do {
                try await group.next()
                group.cancelAll()
            } catch {
                // At once, before the connection is closed and the other tasks end.
                watch.withLock { $0.lost() }
                try? await connection.close()
                throw error
            }
        }
    }
}

/// The listening connection's notifications ended, or its reads stopped answering within the trust.
private struct ListeningLost: Error, CustomStringConvertible {
    var description: String { "the listening connection closed or stopped answering" }
}
