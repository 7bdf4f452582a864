/// One metric's observations over the same window, canary and stable (e.g. a range query's points for
/// each), or why they couldn't be read.
public struct ComparisonInput: Hashable, Sendable {
    public enum Observations: Hashable, Sendable {
        /// Raw values; NaN and ±Inf are dropped and counted by the judge.
        case values(canary: [Double], stable: [Double])
        /// The metrics source couldn't answer: the message says why.
        case unavailable(String)
    }

    public var metric: ComparisonMetric
    public var observations: Observations

    public init(metric: ComparisonMetric, observations: Observations) {
        self.metric = metric
        self.observations = observations
    }

    public init(metric: ComparisonMetric, canary: [Double], stable: [Double]) {
        self.init(metric: metric, observations: .values(canary: canary, stable: stable))
    }

    /// Range-query answers as observations: every point of every series (`MetricSeries.values`).
    public init(metric: ComparisonMetric, canary: [MetricSeries], stable: [MetricSeries]) {
        self.init(metric: metric, canary: MetricSeries.values(canary), stable: MetricSeries.values(stable))
    }

    public init(metric: ComparisonMetric, unavailable message: String) {
        self.init(metric: metric, observations: .unavailable(message))
    }
}
