import BerthCore
import Foundation

/// A `LedgerStore` in memory, for tests of services and the contract suite's reference.
public final class InMemoryLedger: LedgerStore, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [LedgerEvent] = []

    public init() {}

    public func append(_ event: LedgerEvent) async throws -> LedgerEvent {
        try lock.withLock {
            if let key = event.onceKey, let existing = stored.first(where: { $0.onceKey == key }) {
                throw LedgerConflict(key: key, existing: existing)
            }
            var appended = event
            appended.id = Int64(stored.count + 1)
            stored.append(appended)
            return appended
        }
    }

    public func events(_ query: LedgerQuery) async throws -> [LedgerEvent] {
        let matching = lock.withLock { stored.reversed().filter(query.matches) }
        return query.limit.map { Array(matching.prefix($0)) } ?? matching
    }

    public func event(onceKey: String) async throws -> LedgerEvent? {
        lock.withLock { stored.first { $0.onceKey == onceKey } }
    }

    public func status(repository: String) async throws -> [EnvironmentState] {
        latestPerEnvironment(try await events(LedgerQuery(repository: repository, kinds: environmentChangingKinds)))
    }
}
