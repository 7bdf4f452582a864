import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// Holds, releases and bad marks in process: the same checks `berth promote` and the server hit.
@Suite("hold, unhold and mark-bad services")
struct HoldServiceTests {
    static let image = LifecycleHarness.images[0]

    @Test("an environment hold stops promotions into it, forced or not, until it is released; the board shows it")
    func environmentHold() async throws {
        let (project, digest) = try await PromotionServiceTests.released()
        _ = try await project.promote("0.1.0", to: "dev")
        let holds = HoldService(project.dependencies(actor: "alice"), environments: ["dev", "staging", "prod"])
        let held = try await holds.hold(
            HoldRequest(repository: Self.image, environment: "staging", reason: "freeze for the audit"))
        guard case .recorded(let hold) = held else {
            Issue.record("a hold was expected, got \(held)")
            return
        }
        #expect(hold.actor == "alice" && hold.eventID != nil && hold.scope == .environment("staging"))
        #expect(
            try await holds.hold(HoldRequest(repository: Self.image, environment: "staging", reason: "again")) == .unchanged(hold)
        )

        let refused = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "staging") }
        #expect(refused?.kind == .blocked)
        #expect(refused?.message.contains("held by alice") == true && refused?.message.contains("freeze for the audit") == true)
        #expect(refused?.message.contains("berth unhold --env staging") == true)
        let forced = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "staging", force: true) }
        #expect(forced?.kind == .blocked, "a hold is released, not forced")

        let board = try await LedgerQueries(ledger: project.ledger, environmentOrder: ["dev", "staging", "prod"]).board(
            repositories: [Self.image], now: 0)
        #expect(board.rows[0].cells[0].next?.holds.map(\.reason) == ["freeze for the audit"])
        #expect(board.rows[0].cells[1].holds.map(\.actor) == ["alice"], "an empty cell shows its environment's hold")

        let released = try await HoldService(project.dependencies(actor: "bob")).release(
            HoldRequest(repository: Self.image, environment: "staging", reason: "audit done"))
        guard case .recorded = released else {
            Issue.record("a release was expected, got \(released)")
            return
        }
        #expect(
            try await holds.release(HoldRequest(repository: Self.image, environment: "staging", reason: "x")) == .unchanged(nil))
        #expect(try await project.promote("0.1.0", to: "staging").promoted?.digest == digest.description)
        let kinds = try await project.ledger.events(LedgerQuery(repository: Self.image, kinds: [.held, .unheld]))
        #expect(kinds.map(\.kind) == [.unheld, .held] && kinds.map(\.actor) == ["bob", "alice"])
        #expect(kinds.map(\.reason) == ["audit done", "freeze for the audit"])
    }

    @Test("a version hold stops that digest everywhere but not the environment's other promotions")
    func versionHold() async throws {
        let (project, digest) = try await PromotionServiceTests.released()
        let holds = HoldService(project.dependencies(actor: "alice"))
        _ = try await holds.hold(HoldRequest(repository: Self.image, version: "0.1.0", reason: "bad migration"))
        let refused = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "dev") }
        #expect(refused?.kind == .blocked && refused?.message.contains("berth unhold 0.1.0") == true)
        #expect(try await holds.holds(repository: Self.image).map(\.scope) == [.digest(digest)])
        _ = try await holds.release(HoldRequest(repository: Self.image, version: "0.1.0", reason: "fixed forward"))
        #expect(try await holds.holds(repository: Self.image).isEmpty)
        #expect(try await project.promote("0.1.0", to: "dev").promoted != nil)
    }

    @Test("a hold needs a reason, one scope, a known environment and a version the ledger knows")
    func refusals() async throws {
        let (project, _) = try await PromotionServiceTests.released()
        let holds = HoldService(project.dependencies(), environments: ["dev", "staging", "prod"])
        let cases: [(HoldRequest, FailureKind)] = [
            (HoldRequest(repository: Self.image, environment: "dev", reason: " "), .usage),
            (HoldRequest(repository: Self.image, environment: "dev", version: "0.1.0", reason: "both"), .usage),
            (HoldRequest(repository: Self.image, reason: "neither"), .usage),
            (HoldRequest(repository: Self.image, environment: "qa", reason: "unknown"), .usage),
            (HoldRequest(repository: Self.image, version: "9.9.9", reason: "never released"), .failure),
            (HoldRequest(repository: Self.image, version: "not-a-version", reason: "bad"), .badInput),
        ]
        for (request, kind) in cases {
            let error = await #expect(throws: BerthError.self) { try await holds.hold(request) }
            #expect(error?.kind == kind, "\(request)")
        }
        #expect(try await project.ledger.events(LedgerQuery(kinds: [.held])).isEmpty)
    }

    @Test("racing holds of one scope record one event; the others are refused or find it held")
    func racingHolds() async throws {
        let (project, _) = try await PromotionServiceTests.released()
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let outcome = try? await HoldService(project.dependencies(actor: "racer-\(index)")).hold(
                        HoldRequest(repository: Self.image, environment: "prod", reason: "race \(index)"))
                    if case .recorded = outcome { return true }
                    return false
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try await project.ledger.events(LedgerQuery(kinds: [.held])).count == 1)
    }

    @Test("mark-bad records the digest that ran there once, with the actor; promotion of it is then refused")
    func markBad() async throws {
        let (project, digest) = try await PromotionServiceTests.released()
        let service = BadMarkService(project.dependencies(actor: "carol"))
        let never = await #expect(throws: BerthError.self) {
            try await service.preview(
                BadMarkRequest(repository: Self.image, version: "0.1.0", environment: "dev", reason: "crashes"))
        }
        #expect(never?.kind == .failure)
        _ = try await project.promote("0.1.0", to: "dev")
        let mark = try await service.preview(
            BadMarkRequest(repository: Self.image, version: "0.1.0", environment: "dev", reason: "crashes on start"))
        #expect(mark.digest == digest)
        let first = try await service.run(mark)
        #expect(first.recorded && first.event.actor == "carol" && first.event.kind == .markedBad)
        let second = try await service.run(mark)
        #expect(!second.recorded && second.event.id == first.event.id)
        let refused = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "staging") }
        #expect(refused?.kind == .blocked && refused?.message.contains("marked bad") == true)
    }
}
