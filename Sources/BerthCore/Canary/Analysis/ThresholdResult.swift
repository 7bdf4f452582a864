/// One metric judged against its bound: the outcome, the figures, and one line a human reads in
/// `berth canary status` and the ledger.
public struct ThresholdResult: Hashable, Sendable {
    /// The metric's name, as the judge was given it.
    public var metric: String
    public var outcome: MeasurementOutcome
    /// The value read, when there was one (NaN and ±Inf included).
    public var value: Double?
    /// The sample count read, when the judge has a minimum and a count was given.
    public var sampleCount: Double?
    /// One line: `success rate 0.953 < min 0.99`, `12 requests < 50 minimum`.
    public var detail: String

    public init(metric: String, outcome: MeasurementOutcome, value: Double?, sampleCount: Double?, detail: String) {
        self.metric = metric
        self.outcome = outcome
        self.value = value
        self.sampleCount = sampleCount
        self.detail = detail
    }
}
