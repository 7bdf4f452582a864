import BerthCore
import Foundation

/// A `LedgerStore` in memory, for tests of services and the contract suite's reference.
public final class InMemoryLedger: LedgerStore, Sendable {
    private let stored = Locked<[LedgerEvent]>([])

    public init() {}

    public func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] {
        try stored.withLock { stored in
            var keys = Set(stored.compactMap(\.onceKey))
            for event in events {
                guard let key = event.onceKey else { continue }
                guard keys.insert(key).inserted else {
                    throw LedgerConflict(key: key, existing: stored.first { $0.onceKey == key })
                }
            }
            let appended = events.enumerated().map { offset, event in
                var appended = event
                appended.id = Int64(stored.count + offset + 1)
                return appended
            }
            stored += appended
            return appended
        }
    }

    public func events(_ query: LedgerQuery) async throws -> [LedgerEvent] {
        let matching = stored.withLock { $0.reversed().filter(query.matches) }
        return query.limit.map { Array(matching.prefix($0)) } ?? matching
    }

    public func event(onceKey: String) async throws -> LedgerEvent? {
        stored.withLock { stored in stored.first { $0.onceKey == onceKey } }
    }

    public func repositories() async throws -> [String] {
        stored.withLock { Set($0.map(\.repository)).sorted() }
    }

    public func status(repository: String) async throws -> [EnvironmentState] {
        latestPerEnvironment(try await events(LedgerQuery(repository: repository, kinds: environmentChangingKinds)))
    }
}
