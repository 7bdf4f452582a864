import BerthCore
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `berth canary run` end to end through nginx (`CanaryLab`: the Gin service twice, nginx with berth's
/// include, Prometheus, a registry and a ledger; only nginx's access log says whether a request failed).
@Suite(
    "berth canary against nginx, Prometheus and the Gin service", .serialized,
    .requires(.dockerRegistry, .nginx, .prometheus, .go, .gin, .prometheusClientGolang))
struct CanaryE2ETests {
    @Test("a good canary goes 20 → 60 → 100 and is promoted; no request fails, neither at nginx nor at the client")
    func goodCanary() async throws {
        let lab = try await CanaryLab(.init())
        defer { lab.stop() }
        try await lab.prepareReleases()
        _ = try await lab.runGoodCanary()
        let status = try lab.berth("status", "--json")
        #expect(status.stdout.contains("\"version\" : \"0.2.0\""), "\(status.stdout)")
        let canary = try lab.berth("canary", "status", "--env", "prod", "--json")
        #expect(canary.stdout.contains("\"phase\" : \"promoted\""), "\(canary.stdout)")
    }

    @Test("the header rule: every request with X-Version: beta reaches the canary, whatever the weight")
    func headerRoute() async throws {
        let lab = try await CanaryLab(.init(policy: "    header: {name: X-Version, value: beta}\n"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let workers = lab.nginx!.workers
        let start = try lab.berth("canary", "start", "0.2.0", "--env", "prod")
        #expect(start.status == 0, "\(start.stderr)")
        // `nginx -s reload` returns before the master has retired the workers of the old configuration.
        try lab.nginx!.waitForReload(replacing: workers)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(lab.nginx!.port)/version")!)
        request.setValue("beta", forHTTPHeaderField: "X-Version")
        request.setValue("close", forHTTPHeaderField: "Connection")
        let canary = lab.canaryUpstream
        let before = lab.accessLog.count
        for _ in 0..<30 {
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
        }
        let upstreams = Set(lab.accessLog.dropFirst(before).map(\.upstream))
        let include = (try? String(contentsOfFile: lab.directory + "/api.conf", encoding: .utf8)) ?? ""
        #expect(upstreams == [canary], "\(upstreams)\n\(include)")
        let abort = try lab.berth("canary", "abort", "--env", "prod", "--reason", "test over")
        #expect(abort.status == 0, "\(abort.stderr)")
    }

    @Test("a canary that gets no traffic pauses as inconclusive: never promoted, never marked bad")
    func noTraffic() async throws {
        let lab = try await CanaryLab(.init())
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, _) = try await lab.runCanary(load: 0)
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: paused: 1 inconclusive measurement > limit 0"), "\(run.stderr)")
        let history = try lab.berth("history", "--limit", "500")
        #expect(!history.stdout.contains("marked-bad") && !history.stdout.contains("canary-promoted"), "\(history.stdout)")
    }

    @Test("Prometheus down: measurement errors pause the canary over the limit; never a verdict, never marked bad")
    func metricsDown() async throws {
        let lab = try await CanaryLab(.init(policy: "    consecutive_error_limit: 1\n"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        lab.prometheus.stop()
        let (run, _) = try await lab.runCanary()
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("2 measurement errors in a row > limit 1: fix the metrics source"), "\(run.stderr)")
        #expect(run.stderr.contains("measurement 1: error:"), "\(run.stderr)")
        #expect(!(try lab.berth("history", "--limit", "500").stdout.contains("marked-bad")))
    }

    @Test("berth killed after nginx took a step, before recording it: the next run records that step once and finishes")
    func killedAndResumed() async throws {
        let lab = try await CanaryLab(.init())
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (crashed, _) = try await lab.runCanary(environment: ["BERTH_CRASH_AT": "canary.traffic-applied"])
        #expect(crashed.status == 137, "\(crashed.stderr)")
        let (resumed, statuses) = try await lab.runCanary()
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("nginx already carries step 1 (20 %): recorded it"), "\(resumed.stderr)")
        #expect(statuses.allSatisfy { $0 == 200 })
        let events = try lab.events()
        let steps = events.filter { $0["kind"] as? String == "canary-step" }.compactMap {
            ($0["details"] as? [String: String])?["step"]
        }
        #expect(steps.sorted() == ["0", "1", "2", "3", "4"], "each step recorded once: \(steps)")
    }

    @Test("a canary failing 20 % of its requests is aborted: all traffic back on stable, marked bad, with the evidence")
    func failingCanary() async throws {
        let lab = try await CanaryLab(.init(canaryEnvironment: ["FAULT_ERROR_RATE": "0.2"]))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, _) = try await lab.runCanary()
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: aborted: 1 failed measurement > limit 0"), "\(run.stderr)")
        let events = try lab.events()
        let aborted = events.first { $0["kind"] as? String == "canary-aborted" }
        let details = aborted?["details"] as? [String: String] ?? [:]
        #expect(details["metric.success-rate.query"]?.contains("track=\"canary\"") == true, "\(details)")
        #expect(events.contains { $0["kind"] as? String == "marked-bad" && $0["version"] as? String == "0.2.0" })
        // Back on stable: once nginx has retired the workers that carried the split (they finish the
        // connections they hold, as a reload promises), nothing reaches the canary.
        try lab.nginx!.waitForOneGeneration()
        let stop = Locked(false)
        async let after = lab.load(perSecond: 40, until: stop, freshConnections: true)
        try await Task.sleep(for: .seconds(2))
        stop.withLock { $0 = true }
        let statuses = await after
        let failed = statuses.filter { $0 != 200 }
        #expect(!statuses.isEmpty && failed.isEmpty, "\(failed.count) of \(statuses.count) failed: \(Set(failed))")
        let canary = try lab.berth("canary", "status", "--env", "prod", "--json")
        #expect(canary.stdout.contains("\"phase\" : \"aborted\"") && canary.stdout.contains("\"observedWeight\" : 0"))
        // The bad mark holds: no automation brings 0.2.0 back to prod, by canary or by promotion.
        let again = try lab.berth("canary", "start", "0.2.0", "--env", "prod")
        #expect(again.status == 4 && again.stderr.contains("marked bad"), "\(again.status) \(again.stderr)")
        let promote = try lab.berth("promote", "0.2.0", "--to", "prod")
        #expect(promote.status == 4 && promote.stderr.contains("marked bad"), "\(promote.status) \(promote.stderr)")
    }
}
