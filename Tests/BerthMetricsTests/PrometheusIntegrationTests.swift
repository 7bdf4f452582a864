import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthMetrics

/// PrometheusSource against a real Prometheus on 127.0.0.1 (1 s scrapes) and the built-in templates
/// against real exporters: two instances of examples/gin-service, stable and a canary with
/// FAULT_ERROR_RATE=0.2, under load from the test. Every process is stopped by its pid.
@Suite("PrometheusSource on a real Prometheus", .serialized)
struct PrometheusIntegrationTests {
    /// The reading of `query` once `ready` holds for it, polled every 500 ms for at most `seconds`.
    static func eventually(
        _ source: PrometheusSource, _ query: String, seconds: Double = 60, until ready: (Double) -> Bool
    ) async throws -> Double? {
        let deadline = Date().addingTimeInterval(seconds)
        var last: Double?
        while Date() < deadline {
            if let value = try await value(source, query) {
                last = value
                if ready(value) { return value }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        return last
    }

    /// The one value an aggregated instant query answers now; nil for an empty vector.
    static func value(_ source: PrometheusSource, _ query: String) async throws -> Double? {
        let series = try await source.query(query, at: Date().timeIntervalSince1970)
        #expect(series.count <= 1 && series.allSatisfy { $0.points.count == 1 }, "\(query): \(series)")
        return series.first?.points.first?.value
    }

    @Test(
        "the service's success-rate template tells a canary failing 20 % (≈0.8) from stable (1.0); latency templates see its delay",
        .requires(.prometheus, .go, .gin, .prometheusClientGolang))
    func serviceTemplates() async throws {
        let stable = try await blocking { try GinServiceProcess() }
        defer { stable.stop() }
        let canary = try await blocking {
            try GinServiceProcess(environment: ["FAULT_ERROR_RATE": "0.2", "FAULT_LATENCY": "100ms", "FAULT_LATENCY_RATE": "0.5"])
        }
        defer { canary.stop() }
        let prometheus = try await blocking {
            try PrometheusServer(targets: [
                .init(job: "gin-service", address: stable.address, labels: ["track": "stable"]),
                .init(job: "gin-service", address: canary.address, labels: ["track": "canary"]),
            ])
        }
        defer { prometheus.stop() }
        #expect(try await blocking { prometheus.waitForTargets(2) }, "targets not up: \(prometheus.log())")
        let load = LoadLoop(targets: [(stable.port, "/version"), (canary.port, "/version")])
        defer { load.stop() }
        let source = try PrometheusSource(url: prometheus.url, timeout: .seconds(5))
        let templates = try MetricTemplates(.service(matchers: [.init("job", .equal, "gin-service")]))
        let window = 10.0

        // Enough requests in the window on both sides, as the minimum-sample guard would ask.
        for side in MetricTemplates.Side.allCases {
            let count = try await Self.eventually(source, try templates.sampleCount(side: side, window: window)) { $0 >= 100 }
            #expect((count ?? 0) >= 100, "\(side): \(count.map { "\($0)" } ?? "no") samples")
        }
        let canaryRate = try await Self.value(source, try templates.query(.successRate, side: .canary, window: window))
        let stableRate = try await Self.value(source, try templates.query(.successRate, side: .stable, window: window))
        let canaryP99 = try await Self.value(source, try templates.query(.latencyQuantile(0.99), side: .canary, window: window))
        let stableP99 = try await Self.value(source, try templates.query(.latencyQuantile(0.99), side: .stable, window: window))
        let canaryMean = try await Self.value(source, try templates.query(.latencyAverage, side: .canary, window: window))
        let stableMean = try await Self.value(source, try templates.query(.latencyAverage, side: .stable, window: window))
        // A range query: once the window has two scrapes at every step, each step has a point.
        var range: [MetricSeries] = []
        for _ in 0..<60 {
            let now = Date().timeIntervalSince1970
            range = try await source.queryRange(
                try templates.query(.successRate, side: .canary, window: window), start: now - 4, end: now, step: 1)
            if range.first?.points.count == 5 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let sent = try await blocking { load.stop() }

        #expect(sent > 200)
        #expect(canaryRate.map { (0.72...0.88).contains($0) } == true, "canary success rate \(String(describing: canaryRate))")
        #expect(stableRate == 1, "stable success rate \(String(describing: stableRate))")
        #expect(canaryP99.map { (0.09...0.35).contains($0) } == true, "canary p99 \(String(describing: canaryP99))")
        #expect(stableP99.map { $0 < 0.05 } == true, "stable p99 \(String(describing: stableP99))")
        #expect(
            canaryMean.map { $0 > 0.03 } == true && stableMean.map { $0 < 0.02 } == true,
            "\(String(describing: canaryMean)) \(String(describing: stableMean))")
        #expect(range.count == 1 && range.first?.points.count == 5, "\(range)")
        #expect(range.first.map { zip($0.points, $0.points.dropFirst()).allSatisfy { $1.time - $0.time == 1 } } == true)
        #expect(range.first?.points.allSatisfy { (0.6...1).contains($0.value) } == true, "\(range)")
    }

    @Test(
        "HAProxy's exporter: the success-rate template tells the canary server (≈0.8) from stable (1.0); latency-average sees its delay",
        .requires(.prometheus, .haproxy, .go, .gin, .prometheusClientGolang))
    func haproxyTemplates() async throws {
        let stable = try await blocking { try GinServiceProcess() }
        defer { stable.stop() }
        let canary = try await blocking {
            try GinServiceProcess(environment: ["FAULT_ERROR_RATE": "0.2", "FAULT_LATENCY": "100ms", "FAULT_LATENCY_RATE": "0.5"])
        }
        defer { canary.stop() }
        let haproxy = try await blocking {
            try HAProxyServer(ports: 2) { _, ports in
                """
                frontend web
                  bind 127.0.0.1:\(ports[0])
                  default_backend app
                frontend exporter
                  bind 127.0.0.1:\(ports[1])
                  http-request use-service prometheus-exporter if { path /metrics }
                backend app
                  balance roundrobin
                  server stable1 \(stable.address)
                  server canary1 \(canary.address)
                """
            }
        }
        defer { haproxy.stop() }
        let prometheus = try await blocking {
            try PrometheusServer(targets: [.init(job: "haproxy", address: "127.0.0.1:\(haproxy.ports[1])")])
        }
        defer { prometheus.stop() }
        #expect(try await blocking { prometheus.waitForTargets(1) }, "target not up: \(prometheus.log())")
        let load = LoadLoop(targets: [(haproxy.ports[0], "/version")], workers: 6)
        defer { load.stop() }
        let source = try PrometheusSource(url: prometheus.url, timeout: .seconds(5))
        let templates = try MetricTemplates(.haproxy(proxy: "app", stable: ["stable1"], canary: ["canary1"]))
        let window = 10.0

        for side in MetricTemplates.Side.allCases {
            let count = try await Self.eventually(source, try templates.sampleCount(side: side, window: window)) { $0 >= 100 }
            #expect((count ?? 0) >= 100, "\(side): \(count.map { "\($0)" } ?? "no") samples")
        }
        let canaryRate = try await Self.value(source, try templates.query(.successRate, side: .canary, window: window))
        let stableRate = try await Self.value(source, try templates.query(.successRate, side: .stable, window: window))
        let canaryMean = try await Self.value(source, try templates.query(.latencyAverage, side: .canary, window: window))
        let stableMean = try await Self.value(source, try templates.query(.latencyAverage, side: .stable, window: window))
        try await blocking { load.stop() }

        #expect(canaryRate.map { (0.72...0.88).contains($0) } == true, "canary success rate \(String(describing: canaryRate))")
        #expect(stableRate == 1, "stable success rate \(String(describing: stableRate))")
        // HAProxy's average moves slowly (a running average over its last 1024 requests, from 0 at start),
        // so early on it is far below the true 50 ms; it still orders the two.
        #expect(
            canaryMean.map { $0 >= 0.002 } == true && stableMean.map { $0 < 0.002 } == true,
            "canary mean \(String(describing: canaryMean)), stable mean \(String(describing: stableMean))")
    }

    @Test(
        "empty vector is [], bad PromQL is rejected (bad_data), an unevaluable query is rejected (execution), NaN/±Inf read, a long query is POSTed",
        .requires(.prometheus))
    func queries() async throws {
        let prometheus = try await blocking { try PrometheusServer(targets: []) }
        defer { prometheus.stop() }
        let source = try PrometheusSource(url: prometheus.url + "/", timeout: .seconds(5))
        let now = Date().timeIntervalSince1970

        #expect(try await source.query("berth_no_such_metric_total", at: now) == [])
        #expect(try await source.query(#"sum(rate(http_requests_total{track="canary"}[1m]))"#, at: now) == [])
        #expect(try await source.queryRange("berth_no_such_metric_total", start: now - 60, end: now, step: 15) == [])

        let bad = "sum(rate(http_requests_total[1m])"
        let rejection = await #expect(throws: MetricsQueryRejected.self) { try await source.query(bad, at: now) }
        #expect(rejection?.reason == "bad_data")
        #expect(
            rejection?.message.contains("'\(bad)'") == true && rejection?.message.contains(prometheus.url) == true,
            "\(rejection?.message ?? "")")
        #expect(rejection?.message.contains("\n") == false)

        // Two series on each side matched on no labels: Prometheus can't evaluate it.
        let duplicate = #"label_replace(vector(1), "a", "1", "", "") or label_replace(vector(1), "a", "2", "", "")"#
        let execution = await #expect(throws: MetricsQueryRejected.self) {
            try await source.query("(\(duplicate)) + on() (\(duplicate))", at: now)
        }
        #expect(execution?.reason == "execution", "\(execution?.message ?? "")")

        let nan = try await source.query("0/0", at: now)
        #expect(nan.count == 1 && nan[0].labels.isEmpty && nan[0].points.count == 1 && nan[0].points[0].value.isNaN)
        #expect(abs((nan.first?.points.first?.time ?? 0) - now) < 0.002)
        #expect(try await source.query("1/0", at: now).first?.points.first?.value == .infinity)
        #expect(try await source.query("-1/0", at: now).first?.points.first?.value == -.infinity)
        #expect(try await source.query("vector(0.8125)", at: now).first?.points.first?.value == 0.8125)

        let long = "vector(1)" + String(repeating: " + 0", count: 600)
        #expect(long.utf8.count > PrometheusSource.longestGetForm)
        #expect(try await source.query(long, at: now).first?.points.first?.value == 1)
        #expect(try await source.queryRange(long, start: now - 4, end: now, step: 2).first?.points.count == 3)
    }

    @Test(
        "Prometheus stopped: MetricsUnavailable naming its URL and what to check, well within the timeout", .requires(.prometheus)
    )
    func stopped() async throws {
        let prometheus = try await blocking { try PrometheusServer(targets: []) }
        let source = try PrometheusSource(url: prometheus.url, timeout: .seconds(30))
        #expect(try await source.query("vector(1)", at: Date().timeIntervalSince1970).count == 1)
        try await blocking { prometheus.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: MetricsUnavailable.self) {
            try await source.query("vector(1)", at: Date().timeIntervalSince1970)
        }
        // Refused (or the kept-alive connection found closed) at once, not the 30 s timeout; the bound
        // allows for a busy machine's scheduling.
        #expect(clock.now - start < .seconds(20))
        let message = error?.message ?? ""
        #expect(
            message.hasPrefix("prometheus \(prometheus.url): GET /api/v1/query 'vector(1)': ")
                && message.contains("check that Prometheus runs at that address") && !message.contains("no answer within"),
            "\(message)")
    }
}
