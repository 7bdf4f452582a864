/// The comparison judge's answer for one measurement: the outcome, the score, and every metric's
/// result as evidence.
public struct ComparisonVerdict: Hashable, Sendable {
    public var outcome: MeasurementOutcome
    /// 100 × weight of passing metrics / weight of metrics with data; nil when no weighted metric had data.
    public var score: Double?
    public var metrics: [ComparisonMetricResult]
    /// One line: `score 50 (< 75): error-rate high (critical)`.
    public var detail: String

    public init(outcome: MeasurementOutcome, score: Double?, metrics: [ComparisonMetricResult], detail: String) {
        self.outcome = outcome
        self.score = score
        self.metrics = metrics
        self.detail = detail
    }
}
