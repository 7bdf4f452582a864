/// What one process knows of a PostgreSQL ledger's newest event id from a connection of its own that
/// LISTENs for appends, and whether it may answer from that without a query.
///
/// The listening connection reads the newest id once LISTEN is in place and again every heartbeat; each
/// append notifies its id (a trigger, at commit) and this process's own appends raise it too. Answers
/// come from memory only while the connection answered a read within `trust`: a connection that died,
/// hangs or never came up makes every caller read the id from the database instead, so state is never
/// served stale beyond `trust` without a word. The id only grows: nothing lowers it.
struct NewestEventWatch: Sendable, Equatable {
    /// The highest id read, notified or appended here; 0 while the ledger is empty.
    private(set) var newest: Int64 = 0
    /// When the listening connection's last read was sent; nil while it is not listening.
    private(set) var confirmed: ContinuousClock.Instant?
    /// How long a read vouches for the connection: longer than a heartbeat, short enough to be the
    /// bound on how late another process's append may be seen.
    let trust: Duration

    init(trust: Duration) { self.trust = trust }

    /// The listening connection (LISTEN in place) read `id` as the newest, with the read sent at `sent`.
    mutating func read(_ id: Int64?, sentAt sent: ContinuousClock.Instant) {
        newest = max(newest, id ?? 0)
        confirmed = max(confirmed ?? sent, sent)
    }

    /// An append was notified, or made by this process and committed: `id` is visible to every reader.
    mutating func raise(to id: Int64) { newest = max(newest, id) }

    /// The listening connection failed or closed: nothing vouches for `newest` until it listens again.
    mutating func lost() { confirmed = nil }

    /// The newest id (0: empty) if the listening connection vouches for it at `now`; nil: read it instead.
    func vouched(at now: ContinuousClock.Instant) -> Int64? {
        guard let confirmed, now < confirmed + trust else { return nil }
        return newest
    }
}
