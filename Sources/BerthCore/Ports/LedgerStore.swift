/// The append-only record of releases (BerthLedger: SQLite by default, PostgreSQL for teams; memory in
/// tests). Every implementation passes the same contract suite.
public protocol LedgerStore: Sendable {
    /// Appends `events` in one transaction, all or none, and returns them with their ids in order. If
    /// any `onceKey` is already present nothing is written and `LedgerConflict` is thrown, naming the
    /// event that holds the key (a release of several images is recorded whole or not at all).
    @discardableResult
    func append(all events: [LedgerEvent]) async throws -> [LedgerEvent]
    /// Events matching `query`, newest first.
    func events(_ query: LedgerQuery) async throws -> [LedgerEvent]
    /// The event holding `onceKey`, if any.
    func event(onceKey: String) async throws -> LedgerEvent?
    /// What each environment of `repository` runs now: the latest promotion, deployment or rollback.
    func status(repository: String) async throws -> [EnvironmentState]
    /// Every repository with an event, sorted.
    func repositories() async throws -> [String]
    /// Throws, saying why, when an append could not even start (read-only, locked, unreachable): lets a
    /// command that writes elsewhere first fail before it changes anything.
    func checkWritable() async throws
    /// The newest event's id (nil: the ledger is empty). The ledger only grows and every store hands ids out
    /// in the order its appends become visible, so any change to what a reader sees raises it: caches of
    /// what the ledger says (the board, the tokens) are keyed on it. A store that learns it without a
    /// query (PostgreSQL's notifications) answers from memory while it can vouch for it.
    func newestEventID() async throws -> Int64?
}

/// A second append of an exactly-once event.
public struct LedgerConflict: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let existing: LedgerEvent?

    public init(key: String, existing: LedgerEvent?) {
        self.key = key
        self.existing = existing
    }

    public var description: String {
        guard let existing else { return "'\(key)' is already recorded" }
        return "'\(key)' was already recorded (event \(existing.id ?? 0), \(existing.kind.rawValue) by \(existing.actor))"
    }
}

extension LedgerStore {
    /// Stores that can always start a write (memory) need no check.
    public func checkWritable() async throws {}

    /// Stores that read it as cheaply as anything else: the newest event, read.
    public func newestEventID() async throws -> Int64? { try await events(LedgerQuery(limit: 1)).first?.id }

    /// Appends one event (see `append(all:)`).
    @discardableResult
    public func append(_ event: LedgerEvent) async throws -> LedgerEvent {
        try await append(all: [event])[0]
    }

    /// The default `status`: the newest environment-changing event per environment.
    public func latestPerEnvironment(_ events: [LedgerEvent]) -> [EnvironmentState] {
        var seen = Set<String>()
        var states: [EnvironmentState] = []
        for event in events where environmentChangingKinds.contains(event.kind) {
            guard let environment = event.environment, seen.insert(environment).inserted else { continue }
            states.append(
                EnvironmentState(
                    environment: environment, version: event.version, digest: event.digest, since: event.time, event: event))
        }
        return states.sorted { $0.environment < $1.environment }
    }
}
