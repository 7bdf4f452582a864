import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// The token fold a server keeps: made again whenever the ledger's newest event id moves, expiry checked
/// on every call.
@Suite("AccessTokens")
struct AccessTokensTests {
    /// Counts the reads of token events and of the newest id, passing everything to a ledger in memory.
    final class CountingLedger: LedgerStore, Sendable {
        let inner = InMemoryLedger()
        let tokenReads = Locked(0)
        /// What `newestEventID` answers instead of the truth, when set: a replica that has not yet heard.
        let lagging = Locked<Int64??>(nil)

        func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] { try await inner.append(all: events) }
        func events(_ query: LedgerQuery) async throws -> [LedgerEvent] {
            if query.kinds?.contains(.tokenRevoked) == true { tokenReads.withLock { $0 += 1 } }
            return try await inner.events(query)
        }
        func event(onceKey: String) async throws -> LedgerEvent? { try await inner.event(onceKey: onceKey) }
        func status(repository: String) async throws -> [EnvironmentState] { try await inner.status(repository: repository) }
        func repositories() async throws -> [String] { try await inner.repositories() }
        func newestEventID() async throws -> Int64? {
            if let lagging = lagging.current { return lagging }
            return try await inner.newestEventID()
        }
    }

    let now = Locked<Double>(1_000)

    func service(_ ledger: some LedgerStore) -> TokenService {
        TokenService(ledger: ledger, time: Time(value: now), actor: "admin") { Array(repeating: 7, count: $0) }
    }

    struct Time: TimeSource {
        let value: Locked<Double>
        func now() -> Double { value.current }
    }

    @Test("an unchanged ledger is folded once; any append folds again; a revocation is refused on the next call")
    func foldsAgainOnlyAfterAnAppend() async throws {
        let ledger = CountingLedger()
        let (token, secret) = try await service(ledger).create(TokenRequest(role: .viewer, name: "ci"))
        let tokens = AccessTokens(ledger: ledger, time: Time(value: now))
        for _ in 0..<5 { #expect(try await tokens.authenticate(secret) == .success(token)) }
        #expect(ledger.tokenReads.current == 1)

        try await ledger.append(LedgerEvent(kind: .planned, repository: "r", actor: "ci", time: 1_001))
        #expect(try await tokens.authenticate(secret) == .success(token))
        #expect(ledger.tokenReads.current == 2, "any append may be a token's: folded again")

        _ = try await service(ledger).revoke(id: token.id)
        let reads = ledger.tokenReads.current
        #expect(try await tokens.authenticate(secret) == .failure(.revoked))
        #expect(ledger.tokenReads.current == reads + 1)
        // A copy of the value shares the fold.
        let copy = tokens
        #expect(try await copy.authenticate(secret) == .failure(.revoked))
        #expect(ledger.tokenReads.current == reads + 1)
    }

    @Test("expiry is checked on every call, with no new fold")
    func expiryNeedsNoFold() async throws {
        let ledger = CountingLedger()
        let (token, secret) = try await service(ledger).create(TokenRequest(role: .viewer, validFor: 60))
        let tokens = AccessTokens(ledger: ledger, time: Time(value: now))
        #expect(try await tokens.authenticate(secret) == .success(token))
        now.withLock { $0 += 61 }
        #expect(try await tokens.authenticate(secret) == .failure(.expired))
        #expect(ledger.tokenReads.current == 1)
    }

    @Test("a fold made at a newer id answers a call that read an older one; an older fold never answers a newer id")
    func foldsAreKeyedOnTheNewestID() async throws {
        let ledger = CountingLedger()
        let (token, secret) = try await service(ledger).create(TokenRequest(role: .viewer))
        let tokens = AccessTokens(ledger: ledger, time: Time(value: now))
        _ = try await service(ledger).revoke(id: token.id)
        #expect(try await tokens.authenticate(secret) == .failure(.revoked))
        let reads = ledger.tokenReads.current
        // A call that read an older id (the creation's) is answered by the newer fold, revocation and all.
        ledger.lagging.withLock { $0 = .some(1) }
        #expect(try await tokens.authenticate(secret) == .failure(.revoked))
        #expect(ledger.tokenReads.current == reads)

        let fresh = CountingLedger()
        let (other, otherSecret) = try await service(fresh).create(TokenRequest(role: .viewer))
        let freshTokens = AccessTokens(ledger: fresh, time: Time(value: now))
        #expect(try await freshTokens.authenticate(otherSecret) == .success(other))
        // A replica that has not yet heard of the revocation keeps its fold (bounded by how it hears: the
        // PostgreSQL ledger's trust); once it reads the newer id, it folds again.
        fresh.lagging.withLock { $0 = .some(1) }
        _ = try await service(fresh).revoke(id: other.id)
        #expect(try await freshTokens.authenticate(otherSecret) == .success(other))
        fresh.lagging.withLock { $0 = nil }
        #expect(try await freshTokens.authenticate(otherSecret) == .failure(.revoked))
    }
}
