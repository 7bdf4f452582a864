import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// The comparison judge end to end: stable and canary both slowed by the fault switch, the canary twice
/// as much or not at all more, judged on the service's own latency histogram (canary against stable over
/// the same window, Mann-Whitney U with a Hodges–Lehmann shift and a 20 % tolerance) through nginx.
@Suite(
    "berth canary's comparison judge against real latency", .serialized,
    .requires(.dockerRegistry, .nginx, .prometheus, .go, .gin, .prometheusClientGolang))
struct CanaryComparisonE2ETests {
    static func options(stableLatency: String, canaryLatency: String) -> CanaryLab.Options {
        var options = CanaryLab.Options()
        options.stableEnvironment = ["FAULT_LATENCY": stableLatency]
        options.canaryEnvironment = ["FAULT_LATENCY": canaryLatency]
        // 15 s intervals: each measurement compares seven non-overlapping 2 s points a side.
        options.steps = "[{setWeight: 50}, {analysis: 3}, {setWeight: 100}]"
        options.interval = "15s"
        options.metrics = [
            "{name: success-rate, template: success-rate, min: 0.95, minimum_samples: 20}",
            "{name: latency, template: latency-average, compare: increase, tolerance: 0.2, critical: true}",
        ]
        return options
    }

    @Test("a canary twice as slow as stable is caught by the comparison judge within three intervals and aborted")
    func doubleLatency() async throws {
        let lab = try await CanaryLab(Self.options(stableLatency: "25ms", canaryLatency: "50ms"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, statuses) = try await lab.runCanary()
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: aborted: 1 failed measurement > limit 0"), "\(run.stderr)")
        #expect(statuses.allSatisfy { $0 == 200 }, "slow is not failed: \(Set(statuses))")
        let events = try lab.events()
        let measured = events.filter { $0["kind"] as? String == "canary-measured" }
        #expect((1...3).contains(measured.count), "caught within three intervals: \(measured.count) measurements")
        let aborted = events.first { $0["kind"] as? String == "canary-aborted" }
        let details = aborted?["details"] as? [String: String] ?? [:]
        #expect(details["comparison.outcome"] == "fail", "\(details)")
        #expect(
            details["metric.latency.query"]?.contains("http_request_duration_seconds_sum{track=\"canary\"") == true, "\(details)")
        #expect(events.contains { $0["kind"] as? String == "marked-bad" && $0["version"] as? String == "0.2.0" })
    }

    @Test("a canary as slow as stable passes the comparison judge and is promoted: no false alarm")
    func sameLatency() async throws {
        let lab = try await CanaryLab(Self.options(stableLatency: "25ms", canaryLatency: "25ms"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, statuses) = try await lab.runCanary()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: promoted: prod runs 0.2.0"), "\(run.stderr)")
        #expect(statuses.allSatisfy { $0 == 200 })
        let measured = try lab.events().filter { $0["kind"] as? String == "canary-measured" }
        #expect(measured.count == 3, "\(measured.count) measurements")
        #expect(measured.allSatisfy { ($0["details"] as? [String: String])?["comparison.outcome"] == "pass" }, "\(measured)")
    }
}
