/// Judges one metric against a fixed bound: an instant query's value (a success rate over the window, a
/// p99 latency) must stay at or above a minimum, or at or below a maximum. Simple and explainable, but
/// blind to what "normal" is: `ComparisonJudge` compares with the stable version instead.
///
/// Order of rules: a reading the source couldn't give is `error`; a sample count below
/// `minimumSamples` is `inconclusive` (too little traffic to say anything, whatever the value); an
/// empty value is `noData` (inconclusive by default); NaN is `inconclusive` (0/0: no traffic); then the
/// inclusive comparison. ±Inf compares as a number (a quantile beyond the last bucket fails a max).
public struct ThresholdJudge: Hashable, Sendable {
    /// The bound a value must respect, inclusive.
    public enum Bound: Hashable, Sendable {
        /// The value must be ≤ this (latency, error rate).
        case max(Double)
        /// The value must be ≥ this (success rate, throughput).
        case min(Double)
    }

    /// For details: `success rate`, `p99 latency`.
    public var metric: String
    public var bound: Bound
    /// With a minimum, a sample count must be given and reach it, or the result is inconclusive; nil: no
    /// guard.
    public var minimumSamples: Double?
    /// What the samples are, for details: `12 requests < 50 minimum`.
    public var sampleUnit: String
    /// The verdict for an empty value.
    public var noData: NoDataVerdict

    public init(
        metric: String, bound: Bound, minimumSamples: Double? = nil, sampleUnit: String = "samples",
        noData: NoDataVerdict = .inconclusive
    ) {
        self.metric = metric
        self.bound = bound
        self.minimumSamples = minimumSamples
        self.sampleUnit = sampleUnit
        self.noData = noData
    }

    /// Judges one measurement: `value` from the metric's query, `sampleCount` from its sample query
    /// (requests in the window) when the judge has a minimum. An empty sample count is 0 samples: no
    /// requests matched.
    public func judge(_ value: MetricReading, sampleCount: MetricReading? = nil) -> ThresholdResult {
        let read: Double? = if case .value(let number) = value { number } else { nil }
        var count: Double?
        func result(_ outcome: MeasurementOutcome, _ detail: String) -> ThresholdResult {
            ThresholdResult(metric: metric, outcome: outcome, value: read, sampleCount: count, detail: detail)
        }
        if case .unavailable(let message) = value { return result(.error, "\(metric): metrics unavailable: \(message)") }
        if let minimumSamples {
            switch sampleCount {
            case .unavailable(let message)?:
                return result(.error, "\(sampleUnit) count: metrics unavailable: \(message)")
            case nil:
                return result(
                    .inconclusive,
                    "\(metric): no \(sampleUnit) count for the \(AnalysisNumberFormat.number(minimumSamples)) minimum")
            case .empty?:
                count = 0
            case .value(let number)?:
                count = number
            }
            guard let samples = count, !samples.isNaN else {
                return result(.inconclusive, "\(sampleUnit) count is NaN")
            }
            if samples < minimumSamples {
                let (have, need) = AnalysisNumberFormat.pair(samples, minimumSamples)
                return result(.inconclusive, "\(have) \(sampleUnit) < \(need) minimum")
            }
        }
        guard let number = read else { return result(noData.outcome, "\(metric): no data (empty result)") }
        if number.isNaN { return result(.inconclusive, "\(metric) is NaN (no traffic?)") }
        switch bound {
        case .max(let limit):
            let (shown, bound) = AnalysisNumberFormat.pair(number, limit)
            return number <= limit
                ? result(.pass, "\(metric) \(shown) ≤ max \(bound)") : result(.fail, "\(metric) \(shown) > max \(bound)")
        case .min(let limit):
            let (shown, bound) = AnalysisNumberFormat.pair(number, limit)
            return number >= limit
                ? result(.pass, "\(metric) \(shown) ≥ min \(bound)") : result(.fail, "\(metric) \(shown) < min \(bound)")
        }
    }
}
