import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// A provider in memory: what was applied, in order, and what it carries now.
final class RecordingRouter: TrafficRouter {
    let name = "memory"
    let state = Locked<(current: TrafficSplit?, applied: [TrafficSplit])>((nil, []))
    /// Effective weight granularity: weights are rounded to multiples of this.
    let granularity: Int

    init(granularity: Int = 1) { self.granularity = granularity }

    func effectiveWeight(_ requested: Int) -> Int { (requested + granularity / 2) / granularity * granularity }

    func apply(_ split: TrafficSplit) async throws -> TrafficSplit {
        state.withLock {
            $0.current = split
            $0.applied.append(split)
        }
        return split
    }

    func current() async throws -> TrafficSplit? { state.current.current }

    var weights: [Int] { state.current.applied.map(\.canaryWeight) }
}

/// Measurements in the order given; `.error` once the script runs out.
final class ScriptedAnalyzer: CanaryAnalyzer {
    let script: Locked<[MeasurementOutcome]>
    let windows = Locked<[Double]>([])

    init(_ outcomes: [MeasurementOutcome]) { script = Locked(outcomes) }

    func measure(_ canary: CanaryProgress, window: Double, at time: Double) async -> CanaryMeasurement {
        windows.withLock { $0.append(window) }
        let outcome = script.withLock { $0.isEmpty ? MeasurementOutcome.error : $0.removeFirst() }
        return CanaryMeasurement(
            outcome: outcome, summary: "scripted \(outcome.rawValue)", evidence: ["metric.errors.value": "0.01"])
    }
}

@Suite("berth canary: the service over a ledger, a router and an analyzer in memory")
struct CanaryServiceTests {
    static let repository = LifecycleHarness.images[0]
    static let policy = CanaryPolicy(
        steps: [.setWeight(10), .pause(seconds: 120), .setWeight(50), .analysis(measurements: 2), .setWeight(100)],
        interval: 60)

    /// 0.1.0 in every environment, 0.2.0 released, gated and in staging: ready for a canary in prod.
    static func project() async throws -> (LifecycleHarness, first: Digest, second: Digest) {
        let project = LifecycleHarness()
        let first = try await project.pushBuild()
        _ = try await project.release()
        try await project.gate(first, .pass)
        for environment in ["dev", "staging", "prod"] { _ = try await project.promote("0.1.0", to: environment) }
        project.git.state.withLock { _ = $0.history.commit("feat: second endpoint") }
        let second = try await project.pushBuild(seed: "second")
        _ = try await project.release()
        try await project.gate(second, .pass, version: "0.2.0")
        for environment in ["dev", "staging"] { _ = try await project.promote("0.2.0", to: environment) }
        return (project, first, second)
    }

    static func service(
        _ project: LifecycleHarness, router: RecordingRouter, analyzer: (any CanaryAnalyzer)?,
        policy: CanaryPolicy = policy, lines: Locked<[String]>? = nil
    ) -> CanaryService {
        let now = project.now
        return CanaryService(
            project.dependencies(), promotion: project.promotion(), policy: policy, router: router, analyzer: analyzer,
            sleep: { until in now.withLock { $0 = max($0, until) } }, onProgress: { line in lines?.withLock { $0.append(line) } })
    }

    func kinds(_ project: LifecycleHarness) async throws -> [String] {
        try await project.ledger.events(LedgerQuery(repository: Self.repository, environment: "prod"))
            .reversed().map(\.kind.rawValue)
    }

    @Test("a good canary goes 10 → 50 → 100 and is promoted: prod's tags move to its digest, every step recorded")
    func goodCanary() async throws {
        let (project, _, second) = try await Self.project()
        let router = RecordingRouter()
        let analyzer = ScriptedAnalyzer(Array(repeating: .pass, count: 10))
        let service = Self.service(project, router: router, analyzer: analyzer)
        let started = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        #expect(started.split.canaryWeight == 10 && started.isPausing(at: project.now.current))
        #expect(router.weights == [0, 10])
        let done = try await service.resume(repository: Self.repository, environment: "prod", blocking: true)
        #expect(done.phase == .promoted)
        #expect(router.weights == [0, 10, 50, 100, 100])
        #expect(try await project.tag("latest") == second)
        let prod = try await project.ledger.status(repository: Self.repository).first { $0.environment == "prod" }
        #expect(prod?.digest == second.description && prod?.version == "0.2.0")
        // Background measurements during the pause and at 50 %, two for the analysis step; all windows 60 s.
        #expect(done.measurements >= 3 && analyzer.windows.current.allSatisfy { $0 == 60 })
        let recorded = try await kinds(project)
        #expect(recorded.first == "promoted" && recorded.contains("canary-started") && recorded.last == "canary-promoted")
        #expect(recorded.filter { $0 == "canary-step" }.count == 5)
    }

    @Test("a failing measurement aborts at once: traffic back to stable, the digest marked bad in prod with the evidence")
    func failingCanary() async throws {
        let (project, first, second) = try await Self.project()
        let router = RecordingRouter()
        let service = Self.service(project, router: router, analyzer: ScriptedAnalyzer([.pass, .fail]))
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let done = try await service.resume(repository: Self.repository, environment: "prod", blocking: true)
        guard case .aborted(let reason) = done.phase else {
            Issue.record("not aborted: \(done.phase)")
            return
        }
        #expect(reason.contains("1 failed measurement > limit 0"))
        #expect(router.weights.last == 0 && router.state.current.current == .stable)
        let prod = try await project.ledger.status(repository: Self.repository).first { $0.environment == "prod" }
        #expect(prod?.digest == first.description && prod?.version == "0.1.0", "prod still runs 0.1.0")
        let promotedToProd = try await project.events(.promoted).filter { $0.environment == "prod" }
        #expect(promotedToProd.allSatisfy { $0.digest == first.description }, "0.2.0 was never promoted to prod")
        let bad = try await project.events(.markedBad)
        #expect(bad.map(\.digest) == [second.description] && bad.first?.environment == "prod")
        let aborted = try await project.events(.canaryAborted).first
        #expect(aborted?.details["metric.errors.value"] == "0.01" && aborted?.details["outcome"] == "fail")
        let again = await #expect(throws: BerthError.self) {
            try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        }
        #expect(again?.kind == .blocked && again?.message.contains("marked bad") == true, "\(String(describing: again))")
    }

    @Test("inconclusive (no traffic, too few samples) pauses for a human: never promoted, never marked bad; resume goes on")
    func inconclusivePauses() async throws {
        let (project, _, _) = try await Self.project()
        let router = RecordingRouter()
        let service = Self.service(
            project, router: router, analyzer: ScriptedAnalyzer([.inconclusive, .pass, .pass, .pass, .pass]))
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let paused = try await service.resume(repository: Self.repository, environment: "prod", blocking: true)
        guard case .paused(let reason) = paused.phase else {
            Issue.record("not paused: \(paused.phase)")
            return
        }
        #expect(reason.contains("1 inconclusive measurement > limit 0"))
        #expect(try await project.events(.markedBad).isEmpty)
        #expect(try await project.events(.canaryPromoted).isEmpty)
        #expect(router.weights.last == 10, "traffic stays where it was while a human looks")
        let done = try await service.resume(repository: Self.repository, environment: "prod", blocking: true)
        #expect(done.phase == .promoted)
    }

    @Test("a metrics source that keeps failing pauses after the error limit, and never judges the build")
    func errorsPause() async throws {
        let (project, _, _) = try await Self.project()
        let service = Self.service(project, router: RecordingRouter(), analyzer: ScriptedAnalyzer([]))
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let paused = try await service.resume(repository: Self.repository, environment: "prod", blocking: true)
        #expect(paused.consecutiveErrors == 5)
        guard case .paused(let reason) = paused.phase else {
            Issue.record("not paused: \(paused.phase)")
            return
        }
        #expect(reason.contains("5 measurement errors in a row > limit 4"))
        #expect(try await project.events(.markedBad).isEmpty)
    }

    /// Every measurement rejected by the source, as bad PromQL would be.
    struct RejectedAnalyzer: CanaryAnalyzer {
        func measure(_ canary: CanaryProgress, window: Double, at time: Double) async -> CanaryMeasurement {
            CanaryMeasurement(outcome: .error, summary: "rejected", rejected: "bad_data: parse error")
        }
    }

    @Test("a query the metrics source rejects pauses the canary at the first measurement, not after the error limit")
    func rejectedQueryPauses() async throws {
        let (project, _, _) = try await Self.project()
        let service = Self.service(project, router: RecordingRouter(), analyzer: RejectedAnalyzer())
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let paused = try await service.resume(repository: Self.repository, environment: "prod", blocking: true)
        #expect(paused.measurements == 1)
        guard case .paused(let reason) = paused.phase else {
            Issue.record("not paused: \(paused.phase)")
            return
        }
        #expect(reason.contains("rejected a query (bad_data: parse error)"))
    }

    @Test("two canaries in one environment are refused; a finished one frees it")
    func oneAtATime() async throws {
        let (project, _, _) = try await Self.project()
        let service = Self.service(project, router: RecordingRouter(), analyzer: ScriptedAnalyzer([]))
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let second = await #expect(throws: BerthError.self) {
            try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        }
        #expect(second?.kind == .conflict && second?.message.contains("is in progress in prod") == true)
        _ = try await service.abort(repository: Self.repository, environment: "prod", reason: "changed my mind")
        let status = try await service.status(repository: Self.repository, environment: "prod")
        #expect(status?.next == .finished && status?.observed == .stable)
    }

    @Test("only a version cleared for the environment may start there; a weight the provider can't carry is refused")
    func clearanceAndWeights() async throws {
        let (project, _, _) = try await Self.project()
        let service = Self.service(project, router: RecordingRouter(), analyzer: nil)
        let skipped = await #expect(throws: BerthError.self) {
            try await service.start(repository: Self.repository, version: "0.2.0", environment: "dev", reason: nil)
        }
        #expect(skipped?.message.contains("already runs") == true, "\(String(describing: skipped))")
        let coarse = Self.service(project, router: RecordingRouter(granularity: 50), analyzer: nil)
        let refused = await #expect(throws: BerthError.self) {
            try await coarse.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        }
        #expect(
            refused?.kind == .badInput && refused?.message.contains("step 1 asks for 10 % but memory can deliver 0 %") == true)
    }

    @Test("a berth killed after the provider took a step, before recording it: resume records that step and goes on")
    func crashAfterTraffic() async throws {
        let (project, _, _) = try await Self.project()
        let router = RecordingRouter()
        let policy = CanaryPolicy(steps: [.setWeight(10), .setWeight(50), .setWeight(100)])
        let service = Self.service(project, router: router, analyzer: nil, policy: policy)
        project.crash(at: .canaryTrafficApplied)
        await #expect(throws: LifecycleHarness.Crash.self) {
            try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        }
        #expect(router.state.current.current?.canaryWeight == 10)
        let lines = Locked<[String]>([])
        let resumed = Self.service(project, router: router, analyzer: nil, policy: policy, lines: lines)
        let done = try await resumed.resume(repository: Self.repository, environment: "prod", blocking: true)
        #expect(done.phase == .promoted)
        #expect(lines.current.first == "memory already carries step 1 (10 %): recorded it", "\(lines.current)")
        let steps = try await project.events(.canaryStep).compactMap { $0.details["step"] }.sorted()
        #expect(steps == ["0", "1", "2"], "each step recorded once")
    }

    @Test("a provider changed behind berth's back is put back to the recorded split before anything else")
    func driftIsPutBack() async throws {
        let (project, _, _) = try await Self.project()
        let router = RecordingRouter()
        let policy = CanaryPolicy(steps: [.setWeight(10), .pause(seconds: nil), .setWeight(100)])
        let service = Self.service(project, router: router, analyzer: nil, policy: policy)
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        _ = try await router.apply(TrafficSplit(canaryWeight: 70))
        let status = try await service.status(repository: Self.repository, environment: "prod")
        #expect(status?.observed?.canaryWeight == 70 && status?.progress.split.canaryWeight == 10)
        _ = try await service.resume(repository: Self.repository, environment: "prod", blocking: false)
        #expect(Array(router.weights[2...3]) == [70, 10], "put back to 10 % before the canary went on")
        #expect(router.weights.last == 100)
    }

    @Test("a reason holding an escape sequence is refused before any traffic moves, for abort and promote")
    func reasonsAreFreeText() async throws {
        let (project, _, _) = try await Self.project()
        let router = RecordingRouter()
        let service = Self.service(project, router: router, analyzer: nil)
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let applied = router.weights
        let abort = await #expect(throws: BerthError.self) {
            try await service.abort(repository: Self.repository, environment: "prod", reason: "ok\u{1B}[2J")
        }
        let promote = await #expect(throws: BerthError.self) {
            try await service.promote(repository: Self.repository, environment: "prod", reason: "\u{1B}[2J")
        }
        #expect(abort?.kind == .usage && promote?.kind == .usage)
        #expect(router.weights == applied, "no traffic moved")
        #expect(try await project.events(.canaryAborted).isEmpty)
        #expect(try await project.events(.canaryPromoted).isEmpty)
    }

    @Test("promote skips the remaining steps; abort after the end is refused")
    func promoteSkips() async throws {
        let (project, _, second) = try await Self.project()
        let router = RecordingRouter()
        let service = Self.service(project, router: router, analyzer: ScriptedAnalyzer([]))
        _ = try await service.start(repository: Self.repository, version: "0.2.0", environment: "prod", reason: nil)
        let promoted = try await service.promote(repository: Self.repository, environment: "prod", reason: nil)
        #expect(promoted.phase == .promoted && router.weights.last == 100)
        #expect(try await project.tag("latest") == second)
        let late = await #expect(throws: BerthError.self) {
            try await service.abort(repository: Self.repository, environment: "prod", reason: nil)
        }
        #expect(late?.kind == .usage && late?.message.contains("no canary of") == true)
    }

    @Test(
        "the machine's decisions, step by step",
        arguments: [
            // (steps recorded, metrics configured, seconds after the start, the decision)
            (0, false, 0.0, "setWeight(10)"), (1, false, 0.0, "pause"), (2, false, 30.0, "wait"), (2, true, 60.0, "measure"),
            (2, false, 121.0, "setWeight(50)"),
        ])
    func decisions(stepsDone: Int, analysis: Bool, offset: Double, expected: String) throws {
        let started = LedgerEvent(
            kind: .canaryStarted, repository: "r", version: "0.2.0", digest: Digest.sha256(of: Data("x".utf8)).description,
            environment: "prod", actor: "ci", time: 1000, details: ["weight": "0"], onceKey: "k")
        var withID = started
        withID.id = 1
        var events: [LedgerEvent] = []
        let policy = CanaryPolicy(steps: [.setWeight(10), .pause(seconds: 120), .setWeight(50)], interval: 60)
        for step in 0..<stepsDone {
            var event = LedgerEvent(
                kind: .canaryStep, repository: "r", actor: "ci", time: 1000,
                details: ["canary": "1", "step": String(step), "action": step == 1 ? "pause" : "setWeight", "weight": "10"]
                    .merging(step == 1 ? ["until": "1120"] : [:]) { $1 })
            event.id = Int64(step + 2)
            events.append(event)
        }
        let progress = try #require(CanaryProgress(started: withID, events: events))
        let decision = CanaryMachine.decide(progress, policy: policy, analysis: analysis, now: 1000 + offset)
        switch (decision, expected) {
        case (.setWeight(let split, _), let name) where name == "setWeight(\(split.canaryWeight))": break
        case (.wait, "wait"), (.measure, "measure"), (.pause, "pause"): break
        default: Issue.record("\(decision) is not \(expected)")
        }
    }
}
