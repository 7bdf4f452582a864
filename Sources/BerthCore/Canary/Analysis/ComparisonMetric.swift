/// One metric the comparison judge compares between canary and stable, and what counts as worse.
public struct ComparisonMetric: Hashable, Sendable {
    /// Which change is bad.
    public enum Direction: String, Hashable, Sendable, Codable, CaseIterable {
        /// Higher is worse (latency, error rate): only a significant increase fails.
        case increase
        /// Lower is worse (success rate, throughput): only a significant decrease fails.
        case decrease
        /// Any significant change fails (a cache hit ratio that should not move).
        case either
    }

    /// For details and evidence keys: `error-rate`, `latency`.
    public var name: String
    public var direction: Direction
    /// The tolerated shift, relative to the stable median: 0.1 lets the canary be 10 % worse. A real but
    /// small change is not worth a rollback.
    public var tolerance: Double
    /// The tolerated shift in the metric's unit, at least: a stable median near zero (an error rate of
    /// 0) would make any relative tolerance zero, and every blip a failure.
    public var absoluteTolerance: Double
    /// Significance level of the Mann-Whitney test: a change must have p < alpha to count.
    public var alpha: Double
    /// A critical metric that fails fails the measurement, whatever the score.
    public var critical: Bool
    /// Share of the score; 0 leaves the metric out of it (it can still fail as critical).
    public var weight: Double
    /// Finite points needed on each side; fewer is `nodata`. At least 1. The default is 4 because 3 a side
    /// can't fail at alpha 0.05: the smallest one-sided p of 3 against 3 is 1/20 = 0.05, so a metric with
    /// 3 points would pass on no evidence. 4 against 4 reaches 1/70 ≈ 0.014.
    public var minimumPoints: Int

    public init(
        name: String, direction: Direction = .increase, tolerance: Double = 0.1, absoluteTolerance: Double = 0,
        alpha: Double = 0.05, critical: Bool = false, weight: Double = 1, minimumPoints: Int = 4
    ) {
        self.name = name
        self.direction = direction
        self.tolerance = tolerance
        self.absoluteTolerance = absoluteTolerance
        self.alpha = alpha
        self.critical = critical
        self.weight = weight
        self.minimumPoints = minimumPoints
    }

    /// The largest shift tolerated for a stable median: max(tolerance·|median|, absoluteTolerance).
    public func allowedShift(stableMedian: Double) -> Double {
        max(abs(tolerance * stableMedian), abs(absoluteTolerance))
    }
}
