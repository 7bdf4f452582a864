import BerthCore
import Testing

struct JudgeTests {
    // MARK: threshold judge

    static let successRate = ThresholdJudge(
        metric: "success rate", bound: .min(0.99), minimumSamples: 50, sampleUnit: "requests")
    static let latency = ThresholdJudge(metric: "p99 latency", bound: .max(0.5))

    struct ThresholdCase: Sendable, CustomTestStringConvertible {
        let name: String
        let judge: ThresholdJudge
        let value: MetricReading
        let samples: MetricReading?
        let outcome: MeasurementOutcome
        let detail: String
        var testDescription: String { name }
    }

    static let thresholdCases: [ThresholdCase] = [
        ThresholdCase(
            name: "below a minimum fails", judge: successRate, value: .value(0.953), samples: .value(1800), outcome: .fail,
            detail: "success rate 0.953 < min 0.99"),
        ThresholdCase(
            name: "at the minimum passes (inclusive)", judge: successRate, value: .value(0.99), samples: .value(50),
            outcome: .pass, detail: "success rate 0.99 ≥ min 0.99"),
        ThresholdCase(
            name: "just below a minimum shows the digits that differ", judge: successRate, value: .value(0.98996),
            samples: .value(900), outcome: .fail, detail: "success rate 0.98996 < min 0.99"),
        ThresholdCase(
            name: "too few requests is inconclusive, even with a failing value", judge: successRate, value: .value(0.5),
            samples: .value(12), outcome: .inconclusive, detail: "12 requests < 50 minimum"),
        ThresholdCase(
            name: "too few requests is inconclusive, even with a passing value", judge: successRate, value: .value(1),
            samples: .value(49), outcome: .inconclusive, detail: "49 requests < 50 minimum"),
        ThresholdCase(
            name: "no requests at all (empty count) is inconclusive", judge: successRate, value: .empty, samples: .empty,
            outcome: .inconclusive, detail: "0 requests < 50 minimum"),
        ThresholdCase(
            name: "a minimum without a count is inconclusive", judge: successRate, value: .value(1), samples: nil,
            outcome: .inconclusive, detail: "success rate: no requests count for the 50 minimum"),
        ThresholdCase(
            name: "an empty value is inconclusive by default", judge: latency, value: .empty, samples: nil,
            outcome: .inconclusive, detail: "p99 latency: no data (empty result)"),
        ThresholdCase(
            name: "NaN is inconclusive", judge: latency, value: .value(.nan), samples: nil, outcome: .inconclusive,
            detail: "p99 latency is NaN (no traffic?)"),
        ThresholdCase(
            name: "+Inf beyond the last bucket fails a max", judge: latency, value: .value(.infinity), samples: nil,
            outcome: .fail, detail: "p99 latency +Inf > max 0.5"),
        ThresholdCase(
            name: "above a max fails", judge: latency, value: .value(0.812), samples: nil, outcome: .fail,
            detail: "p99 latency 0.812 > max 0.5"),
        ThresholdCase(
            name: "at a max passes (inclusive)", judge: latency, value: .value(0.5), samples: nil, outcome: .pass,
            detail: "p99 latency 0.5 ≤ max 0.5"),
        ThresholdCase(
            name: "a source down is an error", judge: latency, value: .unavailable("connection refused"), samples: nil,
            outcome: .error, detail: "p99 latency: metrics unavailable: connection refused"),
        ThresholdCase(
            name: "a count source down is an error", judge: successRate, value: .value(1),
            samples: .unavailable("timed out"), outcome: .error, detail: "requests count: metrics unavailable: timed out"),
        ThresholdCase(
            name: "the value's error outranks the guard", judge: successRate, value: .unavailable("502"),
            samples: .value(3), outcome: .error, detail: "success rate: metrics unavailable: 502"),
        ThresholdCase(
            name: "a no-data verdict of fail applies to an empty value",
            judge: ThresholdJudge(metric: "requests", bound: .min(1), noData: .fail), value: .empty, samples: nil,
            outcome: .fail, detail: "requests: no data (empty result)"),
        ThresholdCase(
            name: "a no-data verdict never overrides the sample guard",
            judge: ThresholdJudge(metric: "rate", bound: .min(1), minimumSamples: 10, noData: .fail), value: .empty,
            samples: .value(0), outcome: .inconclusive, detail: "0 samples < 10 minimum"),
    ]

    @Test("threshold judge", arguments: thresholdCases)
    func threshold(_ example: ThresholdCase) {
        let result = example.judge.judge(example.value, sampleCount: example.samples)
        #expect(result.outcome == example.outcome)
        #expect(result.detail == example.detail)
        #expect(result.metric == example.judge.metric)
    }

    @Test("an instant query's answer becomes one reading")
    func readings() {
        let point = { (value: Double) in MetricSeries(labels: [:], points: [MetricPoint(time: 1, value: value)]) }
        #expect(MetricReading(instant: []) == .empty)
        #expect(MetricReading(instant: [MetricSeries(labels: [:], points: [])]) == .empty)
        #expect(MetricReading(instant: [point(0.97)]) == .value(0.97))
        guard case .unavailable(let message) = MetricReading(instant: [point(1), point(2)]) else {
            Issue.record("two series must not be judged")
            return
        }
        #expect(message.contains("2 series"))
        #expect(MetricReading(MetricsUnavailable("down")) == .unavailable("down"))
        let range = [point(1), MetricSeries(labels: [:], points: [MetricPoint(time: 1, value: .nan)])]
        #expect(MetricSeries.values(range).count == 2)
    }

    @Test(
        "outcomes of one measurement combine: fail, then error, then inconclusive, then pass",
        arguments: [
            ([MeasurementOutcome.pass, .pass], MeasurementOutcome.pass),
            ([.pass, .inconclusive], .inconclusive),
            ([.inconclusive, .error, .pass], .error),
            ([.error, .fail], .fail),
            ([], .inconclusive),
        ])
    func combining(outcomes: [MeasurementOutcome], combined: MeasurementOutcome) {
        #expect(MeasurementOutcome.combining(outcomes) == combined)
    }

    @Test("outcomes are spelled as the ledger reads them")
    func rawValues() {
        #expect(MeasurementOutcome.allCases.map(\.rawValue) == ["pass", "fail", "inconclusive", "error"])
        #expect(MeasurementOutcome(rawValue: "inconclusive") == .inconclusive)
    }

    // MARK: comparison judge, one metric

    /// 30 stable points around 100 with spread; the canary is the same shape, shifted or scaled.
    static let stable = (0..<30).map { 100 + Double(($0 * 7) % 30) - 15 }

    struct MetricCase: Sendable, CustomTestStringConvertible {
        let name: String
        let metric: ComparisonMetric
        let canary: [Double]
        let stable: [Double]
        let classification: ComparisonMetricResult.Classification
        var testDescription: String { name }
    }

    static let metricCases: [MetricCase] = [
        MetricCase(
            name: "same data passes", metric: ComparisonMetric(name: "latency"), canary: stable, stable: stable,
            classification: .pass),
        MetricCase(
            name: "30 % higher fails high", metric: ComparisonMetric(name: "latency"), canary: stable.map { $0 * 1.3 },
            stable: stable, classification: .high),
        MetricCase(
            name: "5 % higher is significant but within the 10 % tolerance",
            metric: ComparisonMetric(name: "latency"), canary: stable.map { $0 + 5 }, stable: stable,
            classification: .pass),
        MetricCase(
            name: "5 % higher fails with a 2 % tolerance", metric: ComparisonMetric(name: "latency", tolerance: 0.02),
            canary: stable.map { $0 + 5 }, stable: stable, classification: .high),
        MetricCase(
            name: "lower latency passes when only an increase is bad", metric: ComparisonMetric(name: "latency"),
            canary: stable.map { $0 * 0.5 }, stable: stable, classification: .pass),
        MetricCase(
            name: "lower success rate fails low when a decrease is bad",
            metric: ComparisonMetric(name: "success", direction: .decrease), canary: stable.map { $0 * 0.5 },
            stable: stable, classification: .low),
        MetricCase(
            name: "higher success rate passes when only a decrease is bad",
            metric: ComparisonMetric(name: "success", direction: .decrease), canary: stable.map { $0 * 1.5 },
            stable: stable, classification: .pass),
        MetricCase(
            name: "either direction fails high", metric: ComparisonMetric(name: "hit ratio", direction: .either),
            canary: stable.map { $0 * 1.5 }, stable: stable, classification: .high),
        MetricCase(
            name: "either direction fails low", metric: ComparisonMetric(name: "hit ratio", direction: .either),
            canary: stable.map { $0 * 0.5 }, stable: stable, classification: .low),
        MetricCase(
            name: "a huge shift that isn't significant (3 points allowed, alpha 0.01) passes",
            metric: ComparisonMetric(name: "latency", alpha: 0.01, minimumPoints: 3), canary: [200, 210, 220],
            stable: [100, 110, 120], classification: .pass),
        MetricCase(
            name: "3 points a side is nodata by default: they could never reach p < 0.05",
            metric: ComparisonMetric(name: "latency"), canary: [200, 210, 220], stable: [100, 110, 120],
            classification: .nodata),
        MetricCase(
            name: "4 points a side, all higher, fail high (p = 1/70)", metric: ComparisonMetric(name: "latency"),
            canary: [200, 210, 220, 230], stable: [100, 110, 120, 130], classification: .high),
        MetricCase(
            name: "2 points a side is nodata", metric: ComparisonMetric(name: "latency"), canary: [1, 2], stable: [1, 2],
            classification: .nodata),
        MetricCase(
            name: "empty canary is nodata", metric: ComparisonMetric(name: "latency"), canary: [], stable: stable,
            classification: .nodata),
        MetricCase(
            name: "NaN points don't count towards the minimum", metric: ComparisonMetric(name: "latency"),
            canary: [.nan, .nan, 1, 2], stable: stable, classification: .nodata),
        MetricCase(
            name: "constant data, equal on both sides, passes", metric: ComparisonMetric(name: "errors"),
            canary: Array(repeating: 0, count: 60), stable: Array(repeating: 0, count: 60), classification: .pass),
        MetricCase(
            name: "a stable median of 0 with no absolute floor fails on a tiny shift",
            metric: ComparisonMetric(name: "errors"), canary: Array(repeating: 0.001, count: 60),
            stable: Array(repeating: 0, count: 60), classification: .high),
        MetricCase(
            name: "an absolute floor tolerates a tiny shift from 0",
            metric: ComparisonMetric(name: "errors", absoluteTolerance: 0.01), canary: Array(repeating: 0.001, count: 60),
            stable: Array(repeating: 0, count: 60), classification: .pass),
        MetricCase(
            name: "error rates 5 % vs 1 % fail high beyond a 1-point floor",
            metric: ComparisonMetric(name: "errors", absoluteTolerance: 0.01), canary: StatisticsReferenceData.errorRates.x,
            stable: StatisticsReferenceData.errorRates.y, classification: .high),
    ]

    @Test("comparison judge classifies one metric", arguments: metricCases)
    func classify(_ example: MetricCase) {
        let result = ComparisonJudge.classify(
            ComparisonInput(metric: example.metric, canary: example.canary, stable: example.stable))
        #expect(result.classification == example.classification, "\(result.detail)")
        #expect(result.detail.hasPrefix("\(example.metric.name) \(example.classification.rawValue)"))
    }

    @Test("a classified metric carries its evidence")
    func evidence() throws {
        let canary = Self.stable.map { $0 * 1.3 } + [.nan]
        let result = ComparisonJudge.classify(
            ComparisonInput(metric: ComparisonMetric(name: "latency"), canary: canary, stable: Self.stable))
        #expect(result.canaryCount == 30 && result.stableCount == 30)
        #expect(result.canaryDropped == 1 && result.stableDropped == 0)
        #expect(try #require(result.stableMedian) == 99.5)
        #expect(abs(try #require(result.canaryMedian) - 129.35) < 1e-9)
        #expect(abs(try #require(result.allowedShift) - 9.95) < 1e-9)
        let shift = try #require(result.shift)
        #expect(shift > 25 && shift < 35)
        #expect(try #require(result.shiftLower) <= shift && shift <= (try #require(result.shiftUpper)))
        #expect(try #require(result.pValue) < 1e-6)
        #expect(abs(try #require(result.relativeShift) - shift / 99.5) < 1e-12)
        #expect(result.detail.contains("30/30 points (1/0 NaN or Inf dropped)"))
    }

    @Test("a metric whose source is down is an error, with the message")
    func metricError() {
        let result = ComparisonJudge.classify(ComparisonInput(metric: ComparisonMetric(name: "latency"), unavailable: "refused"))
        #expect(result.classification == .error)
        #expect(result.detail == "latency error: metrics unavailable: refused")
        #expect(result.pValue == nil && result.shift == nil)
    }

    // MARK: comparison judge, the measurement

    static func input(
        _ name: String, _ behaviour: ComparisonMetricResult.Classification, critical: Bool = false, weight: Double = 1
    ) -> ComparisonInput {
        // `.low` is a failure only for a metric where a decrease is bad.
        let metric = ComparisonMetric(
            name: name, direction: behaviour == .low ? .decrease : .increase, critical: critical, weight: weight)
        switch behaviour {
        case .pass: return ComparisonInput(metric: metric, canary: stable, stable: stable)
        case .high: return ComparisonInput(metric: metric, canary: stable.map { $0 * 2 }, stable: stable)
        case .low: return ComparisonInput(metric: metric, canary: stable.map { $0 / 2 }, stable: stable)
        case .nodata: return ComparisonInput(metric: metric, canary: [], stable: stable)
        case .error: return ComparisonInput(metric: metric, unavailable: "down")
        }
    }

    struct MeasurementCase: Sendable, CustomTestStringConvertible {
        let name: String
        let judge: ComparisonJudge
        let inputs: [ComparisonInput]
        let outcome: MeasurementOutcome
        let score: Double?
        var testDescription: String { name }
    }

    static let measurementCases: [MeasurementCase] = [
        MeasurementCase(
            name: "all pass", judge: ComparisonJudge(), inputs: [input("a", .pass), input("b", .pass)], outcome: .pass,
            score: 100),
        MeasurementCase(
            name: "19 of 20 pass: score 95 is a pass (inclusive)", judge: ComparisonJudge(),
            inputs: (0..<19).map { input("m\($0)", .pass) } + [input("bad", .high)], outcome: .pass, score: 95),
        MeasurementCase(
            name: "just under 95 is inconclusive", judge: ComparisonJudge(),
            inputs: [input("a", .pass, weight: 94.9), input("b", .high, weight: 5.1)], outcome: .inconclusive,
            score: 94.9),
        MeasurementCase(
            name: "3 of 4 pass: score 75 is inconclusive, not fail", judge: ComparisonJudge(),
            inputs: [input("a", .pass), input("b", .pass), input("c", .pass), input("d", .high)], outcome: .inconclusive,
            score: 75),
        MeasurementCase(
            name: "just under 75 fails", judge: ComparisonJudge(),
            inputs: [input("a", .pass, weight: 74.9), input("b", .high, weight: 25.1)], outcome: .fail, score: 74.9),
        MeasurementCase(
            name: "weights decide the score", judge: ComparisonJudge(),
            inputs: [input("heavy", .pass, weight: 9), input("light", .high, weight: 1)], outcome: .inconclusive,
            score: 90),
        MeasurementCase(
            name: "a failing critical metric fails a high score", judge: ComparisonJudge(),
            inputs: (0..<30).map { input("m\($0)", .pass) } + [input("errors", .high, critical: true)], outcome: .fail,
            score: 100.0 * 30 / 31),
        MeasurementCase(
            name: "a failing critical metric outranks an error", judge: ComparisonJudge(),
            inputs: [input("errors", .low, critical: true), input("latency", .error)], outcome: .fail, score: 0),
        MeasurementCase(
            name: "an error makes the measurement an error", judge: ComparisonJudge(),
            inputs: [input("a", .pass), input("b", .error)], outcome: .error, score: 100),
        MeasurementCase(
            name: "all nodata is inconclusive by default", judge: ComparisonJudge(),
            inputs: [input("a", .nodata), input("b", .nodata)], outcome: .inconclusive, score: nil),
        MeasurementCase(
            name: "all nodata follows the judge's no-data verdict", judge: ComparisonJudge(noData: .pass),
            inputs: [input("a", .nodata)], outcome: .pass, score: nil),
        MeasurementCase(
            name: "no metrics at all is no data", judge: ComparisonJudge(), inputs: [], outcome: .inconclusive, score: nil),
        MeasurementCase(
            name: "nodata metrics are left out of the score", judge: ComparisonJudge(),
            inputs: [input("a", .pass), input("b", .nodata)], outcome: .pass, score: 100),
        MeasurementCase(
            name: "a critical metric without data keeps a passing score from passing", judge: ComparisonJudge(),
            inputs: [input("latency", .pass), input("errors", .nodata, critical: true)], outcome: .inconclusive,
            score: 100),
        MeasurementCase(
            name: "only zero-weight metrics with data is no score", judge: ComparisonJudge(),
            inputs: [input("a", .pass, weight: 0), input("b", .nodata)], outcome: .inconclusive, score: nil),
        MeasurementCase(
            name: "custom score bounds", judge: ComparisonJudge(passScore: 50, marginalScore: 10),
            inputs: [input("a", .pass), input("b", .high)], outcome: .pass, score: 50),
    ]

    @Test("comparison judge decides a measurement from the metrics' classes", arguments: measurementCases)
    func measurement(_ example: MeasurementCase) {
        let verdict = example.judge.judge(example.inputs)
        #expect(verdict.outcome == example.outcome, "\(verdict.detail)")
        #expect(verdict.metrics.count == example.inputs.count)
        if let score = example.score {
            #expect(abs((verdict.score ?? -1) - score) < 1e-9, "score \(String(describing: verdict.score))")
        } else {
            #expect(verdict.score == nil)
        }
    }

    @Test("the measurement's detail names what decided it")
    func measurementDetail() {
        let judge = ComparisonJudge()
        #expect(
            judge.judge([Self.input("errors", .high, critical: true), Self.input("latency", .pass)]).detail
                == "score 50: critical errors high")
        #expect(judge.judge([Self.input("a", .pass), Self.input("b", .high)]).detail == "score 50 (< 75): b high")
        #expect(judge.judge([Self.input("a", .pass), Self.input("b", .error)]).detail == "metrics unavailable: b")
        #expect(judge.judge([Self.input("a", .nodata)]).detail == "no data: a nodata")
    }
}
