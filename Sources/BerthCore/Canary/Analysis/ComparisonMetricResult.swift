/// One metric's classification by the comparison judge, with the figures behind it: the evidence the
/// ledger keeps for a measurement.
public struct ComparisonMetricResult: Hashable, Sendable {
    /// Kayenta's classes. `high` and `low` are failures: a change in a direction the metric doesn't
    /// mind (a latency that dropped) is `pass`.
    public enum Classification: String, Hashable, Sendable, Codable, CaseIterable {
        case pass
        /// Significantly higher than stable, beyond tolerance.
        case high
        /// Significantly lower than stable, beyond tolerance.
        case low
        /// Too few finite points on a side to compare.
        case nodata
        /// The metrics source couldn't answer.
        case error

        /// Whether this class fails the metric.
        public var isFailure: Bool { self == .high || self == .low }
    }

    public var metric: ComparisonMetric
    public var classification: Classification
    /// Mann-Whitney p-value for the metric's direction (one-sided for increase/decrease); nil without data.
    public var pValue: Double?
    /// Hodges–Lehmann shift canary − stable, in the metric's unit; nil without data.
    public var shift: Double?
    /// The shift's confidence interval at 1 − alpha.
    public var shiftLower: Double?
    public var shiftUpper: Double?
    /// The shift tolerated: max(tolerance·|stable median|, absoluteTolerance).
    public var allowedShift: Double?
    public var canaryMedian: Double?
    public var stableMedian: Double?
    /// Finite points used, and NaN/±Inf points dropped, per side.
    public var canaryCount: Int
    public var stableCount: Int
    public var canaryDropped: Int
    public var stableDropped: Int
    /// One line: `latency high: +0.11 (allowed 0.01), canary median 0.21 vs stable 0.1, p=2e-20, 60/60 points`.
    public var detail: String

    public init(
        metric: ComparisonMetric, classification: Classification, pValue: Double? = nil, shift: Double? = nil,
        shiftLower: Double? = nil, shiftUpper: Double? = nil, allowedShift: Double? = nil, canaryMedian: Double? = nil,
        stableMedian: Double? = nil, canaryCount: Int = 0, stableCount: Int = 0, canaryDropped: Int = 0,
        stableDropped: Int = 0, detail: String
    ) {
        self.metric = metric
        self.classification = classification
        self.pValue = pValue
        self.shift = shift
        self.shiftLower = shiftLower
        self.shiftUpper = shiftUpper
        self.allowedShift = allowedShift
        self.canaryMedian = canaryMedian
        self.stableMedian = stableMedian
        self.canaryCount = canaryCount
        self.stableCount = stableCount
        self.canaryDropped = canaryDropped
        self.stableDropped = stableDropped
        self.detail = detail
    }

    /// The shift relative to the stable median (0.25 = 25 % higher); nil when the median is 0.
    public var relativeShift: Double? {
        guard let shift, let stableMedian, stableMedian != 0 else { return nil }
        return shift / abs(stableMedian)
    }
}
