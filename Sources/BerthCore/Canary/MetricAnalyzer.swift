/// Measures a canary from a metrics source: each threshold metric's instant value (with its sample
/// count) against its bound, and every comparison metric's points, canary against stable over the same
/// window, through one comparison verdict. One outcome for the measurement (`MeasurementOutcome.combining`)
/// and the evidence: every query, value and result, flat, for the ledger.
public struct MetricAnalyzer: CanaryAnalyzer {
    public let settings: CanaryAnalysisSettings
    public let source: any MetricsSource

    public init(settings: CanaryAnalysisSettings, source: any MetricsSource) {
        self.settings = settings
        self.source = source
    }

    public func measure(_ canary: CanaryProgress, window: Double, at time: Double) async -> CanaryMeasurement {
        var outcomes: [MeasurementOutcome] = []
        var lines: [String] = []
        var evidence: [String: String] = [:]
        var comparisons: [ComparisonInput] = []
        var rejected: [String] = []
        for metric in settings.metrics {
            let key = "metric.\(metric.name)"
            switch metric.judge {
            case .threshold(let judge, let samples):
                let result: ThresholdResult
                do {
                    let query = try metric.render(metric.query, side: .canary, window: window, templates: settings.templates)
                    evidence["\(key).query"] = query
                    let value = await reading(query, at: time, rejected: &rejected)
                    var count: MetricReading?
                    if let samples = samples ?? defaultSamples(judge) {
                        let sampleQuery = try metric.render(samples, side: .canary, window: window, templates: settings.templates)
                        evidence["\(key).samplesQuery"] = sampleQuery
                        count = await reading(sampleQuery, at: time, rejected: &rejected)
                    }
                    result = judge.judge(value, sampleCount: count)
                } catch {
                    result = ThresholdResult(
                        metric: metric.name, outcome: .error, value: nil, sampleCount: nil, detail: "\(error)")
                }
                evidence["\(key).value"] = result.value.map { AnalysisNumberFormat.number($0) }
                evidence["\(key).samples"] = result.sampleCount.map { AnalysisNumberFormat.number($0) }
                evidence["\(key).bound"] = Self.words(judge.bound)
                evidence["\(key).outcome"] = result.outcome.rawValue
                outcomes.append(result.outcome)
                lines.append("\(metric.name): \(result.detail)")
            case .comparison(let comparison):
                comparisons.append(
                    await observations(metric, comparison, window: window, at: time, evidence: &evidence, rejected: &rejected))
            }
        }
        if !comparisons.isEmpty {
            let verdict = settings.comparison.judge(comparisons)
            evidence["comparison.score"] = verdict.score.map { AnalysisNumberFormat.number($0) }
            evidence["comparison.outcome"] = verdict.outcome.rawValue
            for result in verdict.metrics {
                let key = "metric.\(result.metric.name)"
                evidence["\(key).outcome"] = "\(result.classification)"
                evidence["\(key).p"] = result.pValue.map { AnalysisNumberFormat.number($0) }
                evidence["\(key).shift"] = result.shift.map { AnalysisNumberFormat.number($0) }
                evidence["\(key).canaryMedian"] = result.canaryMedian.map { AnalysisNumberFormat.number($0) }
                evidence["\(key).stableMedian"] = result.stableMedian.map { AnalysisNumberFormat.number($0) }
                evidence["\(key).points"] = "\(result.canaryCount)/\(result.stableCount)"
            }
            outcomes.append(verdict.outcome)
            lines.append(verdict.detail)
        }
        let outcome = MeasurementOutcome.combining(outcomes)
        return CanaryMeasurement(
            outcome: outcome, summary: lines.joined(separator: "; "), evidence: evidence, rejected: rejected.first)
    }

    /// With templates and a minimum, the template exporter's request count is the sample count.
    func defaultSamples(_ judge: ThresholdJudge) -> CanaryMetricSettings.Query? {
        guard judge.minimumSamples != nil, settings.templates != nil else { return nil }
        return .requests
    }

    /// One instant reading; a source that can't answer is `.unavailable`, never a thrown error.
    func reading(_ query: String, at time: Double, rejected: inout [String]) async -> MetricReading {
        do {
            return MetricReading(instant: try await source.query(query, at: time))
        } catch let refusal as MetricsQueryRejected {
            rejected.append(refusal.message)
            return .unavailable(refusal.message)
        } catch let unavailable as MetricsUnavailable {
            return MetricReading(unavailable)
        } catch {
            return .unavailable("\(error)")
        }
    }

    /// Both sides' points, independent as the rank test assumes: each a rate over its own step (two
    /// scrapes at least, so Prometheus has two samples), steps that don't overlap, and enough of them
    /// (six, so the default four points a side survive a missed scrape) even when that reaches back
    /// before the interval.
    func observations(
        _ metric: CanaryMetricSettings, _ comparison: ComparisonMetric, window: Double, at time: Double,
        evidence: inout [String: String], rejected: inout [String]
    ) async -> ComparisonInput {
        let (step, lookback) = Self.resolution(window: window, scrapeInterval: settings.scrapeInterval)
        let rate = step
        do {
            let canaryQuery = try metric.render(metric.query, side: .canary, window: rate, templates: settings.templates)
            let stableQuery = try metric.render(metric.query, side: .stable, window: rate, templates: settings.templates)
            evidence["metric.\(metric.name).query"] = canaryQuery
            async let canary = source.queryRange(canaryQuery, start: time - lookback, end: time, step: step)
            async let stable = source.queryRange(stableQuery, start: time - lookback, end: time, step: step)
            return ComparisonInput(metric: comparison, canary: try await canary, stable: try await stable)
        } catch let refusal as MetricsQueryRejected {
            rejected.append(refusal.message)
            return ComparisonInput(metric: comparison, unavailable: refusal.message)
        } catch let unavailable as MetricsUnavailable {
            return ComparisonInput(metric: comparison, unavailable: unavailable.message)
        } catch {
            return ComparisonInput(metric: comparison, unavailable: "\(error)")
        }
    }

    /// The step (also each point's rate window) and how far back the points reach.
    public static func resolution(window: Double, scrapeInterval: Double) -> (step: Double, lookback: Double) {
        let step = max(window / 12, 2 * scrapeInterval, 1)
        return (step, max(window, 6 * step))
    }

    static func words(_ bound: ThresholdJudge.Bound) -> String {
        switch bound {
        case .max(let value): "max \(AnalysisNumberFormat.number(value))"
        case .min(let value): "min \(AnalysisNumberFormat.number(value))"
        }
    }
}
