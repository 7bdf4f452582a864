import BerthCore
import Foundation

/// The behaviour every `LedgerStore` must have; each rule throws `ContractViolation` naming itself.
public enum LedgerContract {
    public struct Violation: Error, CustomStringConvertible {
        public let description: String
    }

    static func require(_ condition: Bool, _ rule: String, _ detail: @autoclosure () -> String = "") throws {
        if !condition { throw Violation(description: "\(rule)\(detail().isEmpty ? "" : ": \(detail())")") }
    }

    /// Runs every rule against a fresh, empty store from `make`.
    public static func verify(_ make: () async throws -> any LedgerStore) async throws {
        try await appendsAreNumberedAndRoundTrip(make())
        try await queriesFilterNewestFirst(make())
        try await onceKeysAreExclusive(make())
        try await batchesAreAllOrNone(make())
        try await statusIsTheLatestPerEnvironment(make())
        try await repositoriesAreListedOnce(make())
        try await newestEventIDFollowsAppends(make())
    }

    /// The newest id is nil while the ledger is empty, then the last appended event's (a refused batch
    /// leaves it where it was): the key of the server's caches.
    static func newestEventIDFollowsAppends(_ ledger: any LedgerStore) async throws {
        try require(try await ledger.newestEventID() == nil, "an empty ledger has no newest event id")
        let first = try await ledger.append(event(.built, "1.0.0", onceKey: "newest-1"))
        try require(try await ledger.newestEventID() == first.id, "the newest id is the appended event's")
        let batch = try await ledger.append(all: [event(.built, "1.0.1"), event(.built, "1.0.2")])
        let newest = try await ledger.newestEventID()
        try require(newest == batch.last?.id, "after a batch, the newest id is its last event's", "\(String(describing: newest))")
        _ = try? await ledger.append(all: [event(.built, "1.0.3"), event(.built, "1.0.4", onceKey: "newest-1")])
        try require(try await ledger.newestEventID() == newest, "a refused batch leaves the newest id")
    }

    /// Every repository with an event, once each, sorted; none for an empty ledger.
    static func repositoriesAreListedOnce(_ ledger: any LedgerStore) async throws {
        try require(try await ledger.repositories().isEmpty, "an empty ledger knows no repository")
        for repository in ["reg.example/web", "reg.example/api", "reg.example/web", "oci:/tmp/layout"] {
            try await ledger.append(event(.built, "1.0.0", repository: repository))
        }
        let listed = try await ledger.repositories()
        try require(
            listed == ["oci:/tmp/layout", "reg.example/api", "reg.example/web"], "repositories are listed once each, sorted",
            "\(listed)")
    }

    /// 32 writers, each with its own connection from `connect`, append an event each and then race for one
    /// once key: exactly one wins, and nothing is lost or duplicated.
    public static func verifyRace(_ connect: @escaping @Sendable () async throws -> any LedgerStore) async throws {
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let ledger = try await connect()
                    try await ledger.append(LedgerEvent(kind: .gateEvaluated, repository: "r", actor: "w\(index)", time: 1))
                    do {
                        try await ledger.append(
                            LedgerEvent(
                                kind: .released, repository: "r", version: "1.0.0", actor: "w\(index)", time: 1,
                                onceKey: "release:r:1.0.0"))
                        return true
                    } catch is LedgerConflict { return false }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        try require(
            outcomes.filter { $0 }.count == 1, "exactly one of 32 racing writers holds a once key",
            "\(outcomes.filter { $0 }.count) won")
        let reader = try await connect()
        try require(
            try await reader.events(LedgerQuery(kinds: [.gateEvaluated])).count == 32, "no racing writer's other event is lost")
        try require(try await reader.events(LedgerQuery(kinds: [.released])).count == 1, "the raced event is written once")
        try require(
            try await reader.events(LedgerQuery(repository: "r", limit: 50)).count == 33, "another connection reads them all")
    }

    static func event(
        _ kind: LedgerEvent.Kind, _ version: String, environment: String? = nil, time: Double = 1_704_067_200,
        repository: String = "reg.example/api",
        onceKey: String? = nil
    ) -> LedgerEvent {
        LedgerEvent(
            kind: kind, repository: repository, version: version,
            digest: "sha256:" + String(repeating: version.last.map(String.init) ?? "0", count: 64),
            environment: environment, gitSHA: "0123abc", actor: "ci", time: time, reason: "because",
            details: ["outcome": "pass", "counts.high": "2"],
            onceKey: onceKey)
    }

    static func appendsAreNumberedAndRoundTrip(_ store: any LedgerStore) async throws {
        let first = try await store.append(event(.built, "1.0.0"))
        let second = try await store.append(event(.pushed, "1.0.0"))
        try require(
            first.id != nil && second.id != nil && second.id! > first.id!, "ids increase",
            "\(String(describing: first.id)) then \(String(describing: second.id))")
        let read = try await store.events(LedgerQuery())
        var expected = event(.pushed, "1.0.0")
        expected.id = second.id
        try require(read.first == expected, "an event reads back exactly as appended", "\(String(describing: read.first))")
    }

    static func queriesFilterNewestFirst(_ store: any LedgerStore) async throws {
        for (kind, version, environment) in [
            (LedgerEvent.Kind.promoted, "1.0.0", "dev"), (.promoted, "1.0.0", "staging"), (.promoted, "1.1.0", "dev"),
            (.gateEvaluated, "1.1.0", nil),
        ] as [(LedgerEvent.Kind, String, String?)] {
            try await store.append(event(kind, version, environment: environment))
        }
        try await store.append(event(.promoted, "9.9.9", environment: "dev", repository: "reg.example/other"))
        let dev = try await store.events(LedgerQuery(repository: "reg.example/api", environment: "dev"))
        try require(dev.map(\.version) == ["1.1.0", "1.0.0"], "environment filter, newest first", "\(dev.map(\.version))")
        let gates = try await store.events(LedgerQuery(version: "1.1.0", kinds: [.gateEvaluated]))
        try require(gates.count == 1 && gates[0].kind == .gateEvaluated, "kind and version filters")
        let limited = try await store.events(LedgerQuery(repository: "reg.example/api", limit: 2))
        try require(limited.map(\.version) == ["1.1.0", "1.1.0"], "limit keeps the newest", "\(limited.map(\.version))")
        let all = try await store.events(LedgerQuery())
        let second = all[all.count - 2].id ?? 0
        let after = try await store.events(LedgerQuery(after: second))
        try require(
            after.compactMap(\.id) == all.compactMap(\.id).filter { $0 > second }, "after: only larger ids, newest first",
            "\(after.compactMap(\.id))")
        let afterLimited = try await store.events(LedgerQuery(repository: "reg.example/other", limit: 1, after: second))
        try require(afterLimited.map(\.version) == ["9.9.9"], "after combines with the other filters")
        try require(try await store.events(LedgerQuery(after: all[0].id ?? 0)).isEmpty, "nothing after the newest")
    }

    static func onceKeysAreExclusive(_ store: any LedgerStore) async throws {
        let first = try await store.append(event(.released, "1.0.0", onceKey: "release:reg.example/api:1.0.0"))
        do {
            try await store.append(event(.released, "1.0.0", onceKey: "release:reg.example/api:1.0.0"))
            try require(false, "a second append of a once key is refused")
        } catch let conflict as LedgerConflict {
            try require(conflict.existing?.id == first.id, "the conflict names the event holding the key")
        }
        try require(try await store.events(LedgerQuery(kinds: [.released])).count == 1, "a refused append writes nothing")
        try require(try await store.event(onceKey: "release:reg.example/api:1.0.0")?.id == first.id, "event(onceKey:) finds it")
        try require(try await store.event(onceKey: "release:reg.example/api:2.0.0") == nil, "an unknown key finds nothing")
    }

    static func batchesAreAllOrNone(_ store: any LedgerStore) async throws {
        let batch = try await store.append(all: [
            event(.released, "1.0.0", onceKey: "release:a:1.0.0"), event(.released, "1.0.0", onceKey: "release:b:1.0.0"),
        ])
        try require(
            batch.count == 2 && batch[0].id != nil && batch[1].id! > batch[0].id!, "a batch is numbered in order",
            "\(batch.map(\.id))")
        do {
            try await store.append(all: [
                event(.released, "2.0.0", onceKey: "release:a:2.0.0"), event(.released, "1.0.0", onceKey: "release:b:1.0.0"),
            ])
            try require(false, "a batch holding a taken once key is refused")
        } catch let conflict as LedgerConflict {
            try require(
                conflict.key == "release:b:1.0.0" && conflict.existing?.id == batch[1].id,
                "the batch's conflict names the taken key and its holder", "\(conflict)")
        }
        try require(
            try await store.event(onceKey: "release:a:2.0.0") == nil, "a refused batch writes none of its events")
        try require(try await store.events(LedgerQuery()).count == 2, "only the first batch is stored")
    }

    static func statusIsTheLatestPerEnvironment(_ store: any LedgerStore) async throws {
        try await store.append(event(.promoted, "1.0.0", environment: "prod", time: 100))
        try await store.append(event(.promoted, "1.1.0", environment: "staging", time: 200))
        try await store.append(event(.deployed, "1.1.0", environment: "staging", time: 250))
        try await store.append(event(.promoted, "1.1.0", environment: "prod", time: 300))
        try await store.append(event(.gateEvaluated, "1.2.0", environment: "prod", time: 350))
        try await store.append(event(.rolledBack, "1.0.0", environment: "prod", time: 400))
        let status = try await store.status(repository: "reg.example/api")
        try require(
            status.map { "\($0.environment)=\($0.version ?? "")@\($0.since)" } == ["prod=1.0.0@400.0", "staging=1.1.0@250.0"],
            "status: the latest promotion, deployment or rollback per environment",
            "\(status.map { "\($0.environment)=\($0.version ?? "")@\($0.since)" })")
    }
}
