// `berth-bench fill-board LEDGER SERVICES EVENTS` (scripts/bench-serve.sh runs it): fills a ledger with the
// life of SERVICES repositories until it holds about EVENTS events, the way a team's releases would: each
// version built, pushed, released and gated; every version promoted to dev, every second one gated for and
// promoted to staging, every fourth one approved for and promoted to prod; now and then a hold and a bad
// mark. Written through the ledger port, a version's events in one transaction. Prints what it wrote.
import BerthCore
import BerthLedger
import Foundation

enum BoardLedgerFill {
    static func main(_ arguments: [String]) async throws -> Int32 {
        guard arguments.count == 3, let services = Int(arguments[1]), services > 0, let events = Int(arguments[2]) else {
            FileHandle.standardError.write(
                Data("usage: berth-bench fill-board LEDGER.sqlite|postgres://… SERVICES EVENTS\n".utf8))
            return 64
        }
        let ledger: any LedgerStore =
            arguments[0].hasPrefix("postgres")
            ? try await PostgresLedger(url: arguments[0]) : try SQLiteLedger(path: arguments[0])
        let start = Date()
        var written = 0
        var version = 0
        var time = 1_750_000_000.0
        while written < events {
            for service in 0..<services where written < events {
                written += try await release(version, of: service, into: ledger, at: &time)
            }
            version += 1
        }
        let seconds = Date().timeIntervalSince(start)
        print(
            "fill-board: \(written) events, \(services) services, \(version) versions each, in \(String(format: "%.1f", seconds)) s"
        )
        return 0
    }

    static func repository(_ service: Int) -> String { String(format: "registry.example/acme/service-%02d", service) }

    /// One version of one service, through as many environments as it gets; returns the events written.
    static func release(_ number: Int, of service: Int, into ledger: any LedgerStore, at time: inout Double) async throws -> Int {
        let repository = repository(service)
        let version = "1.\(number / 100).\(number % 100)"
        let digest = "sha256:" + String(format: "%032x%032x", service, number)
        let commit = String(format: "%020x%020x", service, number)
        func event(
            _ kind: LedgerEvent.Kind, _ environment: String? = nil, actor: String = "ci", details: [String: String] = [:]
        ) -> LedgerEvent {
            time += 1
            return LedgerEvent(
                kind: kind, repository: repository, version: version, digest: digest, environment: environment, gitSHA: commit,
                actor: actor, time: time, reason: "release \(version)", details: details)
        }
        func gate(_ environment: String, high: Int) -> LedgerEvent {
            var details = [
                DetailKey.outcome: high > 0 ? GateDecision.Outcome.needsApproval.rawValue : GateDecision.Outcome.pass.rawValue,
                DetailKey.scanner: "trivy", DetailKey.report: "sha256:" + String(format: "%064x", number),
                DetailKey.reportFile: "trivy.json",
            ]
            for severity in Severity.allCases { details[DetailKey.count(severity)] = "0" }
            details[DetailKey.count(.high)] = String(high)
            details[DetailKey.count(.medium)] = String(number % 7)
            return event(.gateEvaluated, environment, details: details)
        }
        func promotion(_ environment: String, from: String?) -> LedgerEvent {
            event(
                .promoted, environment, actor: "alice",
                details: [DetailKey.tags: environment, DetailKey.from: from ?? "", DetailKey.clearance: "gate"])
        }
        var batch = [
            event(.built), event(.pushed, details: [DetailKey.tags: version]),
            event(.released, details: [DetailKey.tags: version]),
            gate("dev", high: 0), promotion("dev", from: nil),
        ]
        if number % 2 == 0 { batch += [gate("staging", high: 0), promotion("staging", from: "dev")] }
        var prodGate: LedgerEvent?
        if number % 4 == 0 {
            prodGate = gate("prod", high: number % 8 == 0 ? 1 : 0)
            batch.append(prodGate!)
        }
        if number % 50 == 49 { batch.append(event(.markedBad, "dev", actor: "bob")) }
        let recorded = try await ledger.append(all: batch)
        guard let prodGate, let gateEvent = recorded.first(where: { $0.kind == .gateEvaluated && $0.environment == "prod" }),
            let gateID = gateEvent.id
        else { return batch.count }
        var second: [LedgerEvent] = []
        if prodGate.details[DetailKey.outcome] == GateDecision.Outcome.needsApproval.rawValue {
            second.append(
                event(
                    .approved, "prod", actor: "carol",
                    details: [DetailKey.gate: String(gateID), DetailKey.outcome: GateDecision.Outcome.needsApproval.rawValue]))
        }
        second.append(promotion("prod", from: "staging"))
        _ = try await ledger.append(all: second)
        return batch.count + second.count
    }
}
