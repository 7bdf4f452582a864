import BerthCore
import BerthOCI
import Testing

/// The typed records against the ledger's spelling. The keys here are literals on purpose: ledgers
/// already hold events written with them, so renaming a key in `DetailKey` must fail these tests
/// rather than silently un-approve releases.
@Suite("ledger records keep the spelling ledgers already hold")
struct LedgerRecordTests {
    static let digest = Digest("sha256:" + String(repeating: "a", count: 64))!

    @Test("an approval event as berth 0.1 wrote it reads back, and writes the same keys")
    func approval() throws {
        var event = LedgerEvent(
            kind: .approved, repository: "r.example/api", version: "1.2.0", digest: Self.digest.description, environment: "prod",
            actor: "alice", time: 100, reason: "not reachable",
            details: ["gate": "7", "outcome": "needs-approval", "expires": "200.0"])
        event.id = 9
        let approval = try #require(ApprovalRecord(event))
        #expect(approval.gateEvent == 7 && approval.expires == 200 && approval.holds(at: 200) && !approval.holds(at: 201))
        #expect(approval.actor == "alice" && approval.eventID == 9)
        let written = approval.event(actor: "alice", time: 100)
        #expect(written.details == ["gate": "7", "outcome": "needs-approval", "expires": "200.0"])
        #expect(written.kind == .approved && written.digest == Self.digest.description)
    }

    @Test("a gate decision reads back with its counts and lists; an unknown outcome blocks, never clears")
    func gate() throws {
        var event = LedgerEvent(
            kind: .gateEvaluated, repository: "r.example/api", version: "1.2.0", digest: Self.digest.description, actor: "ci",
            time: 1, reason: "2 high",
            details: [
                "outcome": "needs-approval", "counts.high": "2", "counts.critical": "0", "reasons": "2 high; medium warns",
                "excepted": "", "report": "sha256:bb", "scanner": "trivy", "reportFile": "r.json",
            ])
        event.id = 3
        let gate = try #require(GateRecord(event))
        #expect(gate.outcome == .needsApproval && gate.counts[.high] == 2 && gate.reasons == ["2 high", "medium warns"])
        #expect(gate.excepted.isEmpty && gate.eventID == 3)
        let written = gate.event(actor: "ci", time: 1).details
        #expect(
            written["outcome"] == "needs-approval" && written["counts.high"] == "2"
                && written["reasons"] == "2 high; medium warns")
        #expect(
            Set(written.keys).isSuperset(of: ["report", "scanner", "reportFile", "excepted", "counts.low", "counts.unknown"]))

        var unreadable = event
        unreadable.details["outcome"] = "PASS "
        var older = event
        older.id = 1
        older.details["outcome"] = "pass"
        let verdict = ReleaseClearance.verdict(
            digest: Self.digest.description, environment: "prod", events: [older, unreadable], now: 0)
        guard case .blocked(let why) = verdict else {
            Issue.record("an unreadable newest decision must block, got \(verdict)")
            return
        }
        #expect(why.contains("can't be read"))
    }

    @Test("release, bad mark and environment changes carry their once-keys and detail keys")
    func onceKeys() {
        let release = ReleaseRecord(
            repository: "r.example/api", version: "1.2.0", digest: Self.digest, gitSHA: "abc", tags: ["v1.2.0", "latest"],
            gitTag: "v1.2.0", pushedTo: "origin", explanation: "minor bump")
        let event = release.event(actor: "ci", time: 1)
        #expect(event.onceKey == "release:r.example/api:1.2.0")
        #expect(event.details == ["tags": "v1.2.0,latest", "gitTag": "v1.2.0", "gitTagPushed": "origin"])
        #expect(ReleaseRecord(event)?.tags == ["v1.2.0", "latest"])

        let bad = BadMark(repository: "r.example/api", version: "1.2.0", digest: Self.digest, environment: "prod", reason: "5xx")
        #expect(bad.event(actor: "ci", time: 1).onceKey == "bad:r.example/api:prod:\(Self.digest)")

        let promotion = EnvironmentChange(
            .promotion(from: "staging", tags: ["v1.2.0", "latest"], clearance: "gate pass (event 3)"),
            repository: "r.example/api",
            version: "1.2.0", digest: Self.digest, environment: "prod", gitSHA: nil, reason: "go", after: 41)
        let promoted = promotion.event(actor: "ci", time: 1)
        #expect(promoted.onceKey == "promote:r.example/api:prod:\(Self.digest):after:41")
        #expect(promoted.details == ["tags": "v1.2.0,latest", "from": "staging", "clearance": "gate pass (event 3)"])
        let rollback = EnvironmentChange(
            .rollback(fromVersion: "1.3.0", fromDigest: Self.digest, tags: ["latest"], done: ["commit": "c0ffee"]),
            repository: "r.example/api", version: "1.2.0", digest: Self.digest, environment: "prod", gitSHA: nil, reason: "5xx",
            after: nil)
        #expect(rollback.event(actor: "ci", time: 1).onceKey == "rollback:r.example/api:prod:after:0")
        #expect(
            rollback.event(actor: "ci", time: 1).details == [
                "from": "1.3.0", "fromDigest": Self.digest.description, "tags": "latest", "commit": "c0ffee",
            ])
    }
}
