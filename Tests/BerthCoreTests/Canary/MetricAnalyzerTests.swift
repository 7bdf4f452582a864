import BerthCore
import BerthOCI
import Foundation
import Testing

/// A metrics source answering from a table: each query's series, or down.
struct RecordedSource: MetricsSource {
    let name = "recorded"
    let instant: [String: Double]
    let ranges: [String: [Double]]
    let down: Bool
    var rejects = false
    let asked = Locked<[String]>([])

    init(instant: [String: Double] = [:], ranges: [String: [Double]] = [:], down: Bool = false) {
        self.instant = instant
        self.ranges = ranges
        self.down = down
    }

    func query(_ query: String, at time: Double) async throws -> [MetricSeries] {
        asked.withLock { $0.append(query) }
        if rejects { throw MetricsQueryRejected(query: query, reason: "bad_data", message: "bad PromQL in '\(query)'") }
        if down { throw MetricsUnavailable("prometheus http://127.0.0.1:1: connection refused") }
        return instant[query].map { [MetricSeries(labels: [:], points: [MetricPoint(time: time, value: $0)])] } ?? []
    }

    func queryRange(_ query: String, start: Double, end: Double, step: Double) async throws -> [MetricSeries] {
        asked.withLock { $0.append(query) }
        if down { throw MetricsUnavailable("prometheus http://127.0.0.1:1: connection refused") }
        guard let values = ranges[query] else { return [] }
        return [
            MetricSeries(
                labels: [:],
                points: values.enumerated().map { MetricPoint(time: start + Double($0.offset) * step, value: $0.element) })
        ]
    }
}

@Suite("canary analysis over a metrics source: threshold and comparison metrics, one outcome, the evidence")
struct MetricAnalyzerTests {
    static let canary: CanaryProgress = {
        var started = LedgerEvent(
            kind: .canaryStarted, repository: "r", version: "0.2.0", digest: Digest.sha256(of: Data("c".utf8)).description,
            environment: "prod", actor: "ci", time: 1000, details: ["weight": "10"], onceKey: "k")
        started.id = 1
        return CanaryProgress(started: started, events: [])!
    }()

    static func settings(_ metrics: [CanaryMetricSettings]) -> CanaryAnalysisSettings {
        CanaryAnalysisSettings(prometheus: "http://127.0.0.1:9090", metrics: metrics, scrapeInterval: 1)
    }

    static let successRate = CanaryMetricSettings(
        name: "success-rate", query: .custom("ok{{{side}}}[{{window}}]"),
        judge: .threshold(
            ThresholdJudge(metric: "success rate", bound: .min(0.95), minimumSamples: 20), samples: .custom("n{{{side}}}")))
    static let latency = CanaryMetricSettings(
        name: "latency", query: .custom("lat{{{side}}}[{{window}}]"),
        judge: .comparison(ComparisonMetric(name: "latency", direction: .increase, tolerance: 0.2, critical: true)))

    @Test(
        "a threshold metric: pass, fail, too few samples, no data, a source that is down",
        arguments: [
            (["ok{canary}[1m]": 0.99, "n{canary}": 100.0], false, MeasurementOutcome.pass),
            (["ok{canary}[1m]": 0.80, "n{canary}": 100.0], false, .fail),
            (["ok{canary}[1m]": 0.80, "n{canary}": 5.0], false, .inconclusive),
            ([:], false, .inconclusive),
            (["ok{canary}[1m]": 0.99, "n{canary}": 100.0], true, .error),
        ])
    func threshold(instant: [String: Double], down: Bool, expected: MeasurementOutcome) async {
        let source = RecordedSource(instant: instant, down: down)
        let measurement = await MetricAnalyzer(settings: Self.settings([Self.successRate]), source: source)
            .measure(Self.canary, window: 60, at: 2000)
        #expect(measurement.outcome == expected, "\(measurement.summary)")
        #expect(measurement.evidence["metric.success-rate.query"] == "ok{canary}[1m]")
        #expect(measurement.evidence["metric.success-rate.outcome"] == expected.rawValue)
        #expect(!measurement.summary.contains("\n"))
    }

    @Test("a comparison metric: twice stable's latency fails; the same latency passes; points are non-overlapping rates")
    func comparison() async {
        let stable: [Double] = [0.10, 0.11, 0.09, 0.10, 0.12, 0.10, 0.11, 0.09, 0.10, 0.10, 0.11, 0.10]
        let step = MetricAnalyzer.resolution(window: 60, scrapeInterval: 1).step
        let rate = "\(Int(step))s"
        for (canary, expected) in [
            (stable.map { $0 * 2 }, MeasurementOutcome.fail), (Array(stable.reversed()), MeasurementOutcome.pass),
        ] {
            let source = RecordedSource(ranges: ["lat{canary}[\(rate)]": canary, "lat{stable}[\(rate)]": stable])
            let measurement = await MetricAnalyzer(settings: Self.settings([Self.latency]), source: source)
                .measure(Self.canary, window: 60, at: 2000)
            #expect(measurement.outcome == expected, "\(measurement.summary)")
            #expect(measurement.evidence["metric.latency.points"] == "12/12", "\(measurement.evidence)")
        }
        #expect(MetricAnalyzer.resolution(window: 60, scrapeInterval: 15) == (30, 180), "six 30 s points: two scrapes each")
    }

    @Test("a query the source rejects is an error that names the refusal, so the canary stops for a human at once")
    func rejectedQuery() async {
        var source = RecordedSource()
        source.rejects = true
        let measurement = await MetricAnalyzer(settings: Self.settings([Self.successRate]), source: source)
            .measure(Self.canary, window: 60, at: 2000)
        #expect(measurement.outcome == .error && measurement.rejected == "bad PromQL in 'ok{canary}[1m]'")
    }

    @Test("both judges in one measurement: a failing threshold outranks a passing comparison")
    func combined() async {
        let stable: [Double] = Array(repeating: 0.1, count: 6) + Array(repeating: 0.11, count: 6)
        let rate = "\(Int(MetricAnalyzer.resolution(window: 60, scrapeInterval: 1).step))s"
        let source = RecordedSource(
            instant: ["ok{canary}[1m]": 0.5, "n{canary}": 100],
            ranges: ["lat{canary}[\(rate)]": stable, "lat{stable}[\(rate)]": stable])
        let measurement = await MetricAnalyzer(settings: Self.settings([Self.successRate, Self.latency]), source: source)
            .measure(Self.canary, window: 60, at: 2000)
        #expect(measurement.outcome == .fail)
        #expect(
            measurement.evidence["comparison.outcome"] == "pass" && measurement.evidence["metric.success-rate.outcome"] == "fail")
    }
}
