import BerthCore
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `berth canary run` through HAProxy: weights and the header rule through the runtime API on the admin
/// socket (no reload), judged on HAProxy's own Prometheus exporter (responses by class per server), and
/// HAProxy's access log (`server status`) read for every request.
@Suite(
    "berth canary against HAProxy and its exporter", .serialized,
    .requires(.dockerRegistry, .haproxy, .prometheus, .go, .gin, .prometheusClientGolang))
struct CanaryHAProxyE2ETests {
    static func options(canaryEnvironment: [String: String] = [:], policy: String = "") -> CanaryLab.Options {
        var options = CanaryLab.Options()
        options.proxy = .haproxy
        options.canaryEnvironment = canaryEnvironment
        options.policy = policy
        options.exporter = "{haproxy: {proxy: api, stable: [s1], canary: [c1]}}"
        return options
    }

    @Test("a good canary goes 20 → 60 → 100 through HAProxy's runtime API and is promoted; no request fails")
    func goodCanary() async throws {
        let lab = try await CanaryLab(Self.options())
        defer { lab.stop() }
        try await lab.prepareReleases()
        let log = try await lab.runGoodCanary()
        #expect(Set(log.map(\.upstream)) == ["s1", "c1"], "both servers served: \(Set(log.map(\.upstream)))")
        let measured = try lab.events().filter { $0["kind"] as? String == "canary-measured" }
        let queries = measured.compactMap { ($0["details"] as? [String: String])?["metric.success-rate.query"] }
        #expect(queries.count == 4 && queries.allSatisfy { $0.contains("haproxy_server_http_responses_total") }, "\(queries)")
    }

    @Test("a canary failing 20 % of its requests, seen by HAProxy's exporter, is aborted and its server weighted to 0")
    func failingCanary() async throws {
        let lab = try await CanaryLab(Self.options(canaryEnvironment: ["FAULT_ERROR_RATE": "0.2"]))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, _) = try await lab.runCanary()
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: aborted: 1 failed measurement > limit 0"), "\(run.stderr)")
        #expect(try lab.events().contains { $0["kind"] as? String == "marked-bad" && $0["version"] as? String == "0.2.0" })
        let before = lab.accessLog.count
        let stop = Locked(false)
        async let after = lab.load(perSecond: 40, until: stop)
        try await Task.sleep(for: .seconds(2))
        stop.withLock { $0 = true }
        #expect(await after.allSatisfy { $0 == 200 })
        let servers = Set(lab.accessLog.dropFirst(before).map(\.upstream))
        #expect(servers == ["s1"], "after the abort only stable serves: \(servers)")
    }

    @Test("the header rule through HAProxy's map: every request with X-Version: beta reaches the canary")
    func headerRoute() async throws {
        let lab = try await CanaryLab(Self.options(policy: "    header: {name: X-Version, value: beta}\n"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let start = try lab.berth("canary", "start", "0.2.0", "--env", "prod")
        #expect(start.status == 0, "\(start.stderr)")
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(lab.port)/version")!)
        request.setValue("beta", forHTTPHeaderField: "X-Version")
        let before = lab.accessLog.count
        for _ in 0..<30 {
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
        }
        let servers = Set(lab.accessLog.dropFirst(before).map(\.upstream))
        #expect(servers == ["c1"], "\(servers)")
        let status = try lab.berth("canary", "status", "--env", "prod", "--json")
        #expect(status.stdout.contains("\"observedWeight\" : 20"), "\(status.stdout)")
        let abort = try lab.berth("canary", "abort", "--env", "prod", "--reason", "test over")
        #expect(abort.status == 0, "\(abort.stderr)")
        let after = lab.accessLog.count
        for _ in 0..<10 { _ = try await URLSession.shared.data(for: request) }
        #expect(Set(lab.accessLog.dropFirst(after).map(\.upstream)) == ["s1"], "the header rule is gone after the abort")
    }
}
