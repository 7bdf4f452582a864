/// Judges a canary against the stable version running at the same time (Kayenta's approach): each
/// metric's canary points against its stable points with a Mann-Whitney U test, the size of the change
/// from the Hodges–Lehmann shift. Comparing with stable, not with a fixed bound, cancels what both
/// versions share (load, a slow database, time of day).
///
/// A metric fails (`high`/`low`) when the test is significant (p < alpha, one-sided in the bad
/// direction) and the shift goes beyond its tolerance in the bad direction: significance alone would
/// fail a canary for a real but harmless 1 % change once the samples are large.
///
/// The measurement, in this order: a critical metric failing → `fail` (certain evidence, even if
/// another metric errored); any metric `error` → `error` (the score would be incomplete); no weighted
/// metric with data → `noData`; score ≥ `passScore` → `pass` — unless a critical metric had no data,
/// then `noData` (a canary can't pass on its minor metrics); score < `marginalScore` → `fail`; between
/// → `inconclusive`.
public struct ComparisonJudge: Hashable, Sendable {
    /// Score at or above which the measurement passes.
    public var passScore: Double
    /// Score below which it fails; between the two it's inconclusive.
    public var marginalScore: Double
    /// The verdict when no metric had data (no traffic), or a critical one had none.
    public var noData: NoDataVerdict

    public init(passScore: Double = 95, marginalScore: Double = 75, noData: NoDataVerdict = .inconclusive) {
        self.passScore = passScore
        self.marginalScore = marginalScore
        self.noData = noData
    }

    /// Judges one measurement: every metric's observations over the same window.
    public func judge(_ inputs: [ComparisonInput]) -> ComparisonVerdict {
        let results = inputs.map(Self.classify)
        var passingWeight = 0.0
        var dataWeight = 0.0
        for result in results where result.classification != .nodata && result.classification != .error {
            let weight = max(0, result.metric.weight)
            dataWeight += weight
            if result.classification == .pass { passingWeight += weight }
        }
        let score: Double? = dataWeight > 0 ? 100 * passingWeight / dataWeight : nil
        let failing = results.filter(\.classification.isFailure)
        let criticalFailing = failing.filter(\.metric.critical)
        let errors = results.filter { $0.classification == .error }
        let criticalMissing = results.filter { $0.metric.critical && $0.classification == .nodata }
        let scoreText = score.map { "score \(AnalysisNumberFormat.number($0))" } ?? "no score"
        func names(_ results: [ComparisonMetricResult]) -> String {
            results.map { "\($0.metric.name) \($0.classification.rawValue)" }.joined(separator: ", ")
        }
        func verdict(_ outcome: MeasurementOutcome, _ detail: String) -> ComparisonVerdict {
            ComparisonVerdict(outcome: outcome, score: score, metrics: results, detail: detail)
        }
        if !criticalFailing.isEmpty {
            return verdict(.fail, "\(scoreText): critical \(names(criticalFailing))")
        }
        if !errors.isEmpty {
            return verdict(.error, "metrics unavailable: \(errors.map(\.metric.name).joined(separator: ", "))")
        }
        guard let score else {
            return verdict(noData.outcome, "no data: \(results.isEmpty ? "no metrics" : names(results))")
        }
        let failingText = failing.isEmpty ? "" : ": \(names(failing))"
        if score >= passScore {
            if !criticalMissing.isEmpty {
                return verdict(noData.outcome, "\(scoreText), but critical \(names(criticalMissing))")
            }
            return verdict(.pass, "\(scoreText) (≥ \(AnalysisNumberFormat.number(passScore)))\(failingText)")
        }
        if score < marginalScore {
            return verdict(.fail, "\(scoreText) (< \(AnalysisNumberFormat.number(marginalScore)))\(failingText)")
        }
        return verdict(
            .inconclusive,
            "\(scoreText) (between \(AnalysisNumberFormat.number(marginalScore)) and \(AnalysisNumberFormat.number(passScore)))\(failingText)"
        )
    }

    /// Classifies one metric: `error`, `nodata`, then the test and the shift.
    public static func classify(_ input: ComparisonInput) -> ComparisonMetricResult {
        let metric = input.metric
        guard case .values(let rawCanary, let rawStable) = input.observations else {
            let message: String = if case .unavailable(let text) = input.observations { text } else { "" }
            return ComparisonMetricResult(
                metric: metric, classification: .error, detail: "\(metric.name) error: metrics unavailable: \(message)")
        }
        let canary = FiniteSample(rawCanary)
        let stable = FiniteSample(rawStable)
        let needed = max(1, metric.minimumPoints)
        let counts =
            "\(canary.count)/\(stable.count) points"
            + (canary.dropped + stable.dropped > 0
                ? " (\(canary.dropped)/\(stable.dropped) NaN or Inf dropped)" : "")
        guard canary.count >= needed, stable.count >= needed else {
            return ComparisonMetricResult(
                metric: metric, classification: .nodata, canaryMedian: canary.median, stableMedian: stable.median,
                canaryCount: canary.count, stableCount: stable.count, canaryDropped: canary.dropped,
                stableDropped: stable.dropped, detail: "\(metric.name) nodata: \(counts), \(needed) needed on each side")
        }
        let alternative: MannWhitneyU.Alternative =
            switch metric.direction {
            case .increase: .greater
            case .decrease: .less
            case .either: .twoSided
            }
        let test = MannWhitneyU(canary, stable, alternative: alternative)
        let alpha = metric.alpha
        let estimate = HodgesLehmann(canary, stable, confidence: alpha > 0 && alpha < 1 ? 1 - alpha : nil)
        let stableMedian = stable.median ?? 0
        let canaryMedian = canary.median ?? 0
        let allowed = metric.allowedShift(stableMedian: stableMedian)
        let shift = estimate.shift ?? 0
        var classification = ComparisonMetricResult.Classification.pass
        if test.pValue < alpha {
            switch metric.direction {
            case .increase where shift > allowed: classification = .high
            case .decrease where shift < -allowed: classification = .low
            case .either where shift > allowed: classification = .high
            case .either where shift < -allowed: classification = .low
            default: break
            }
        }
        let medians = AnalysisNumberFormat.pair(canaryMedian, stableMedian)
        let detail =
            "\(metric.name) \(classification.rawValue): shift \(AnalysisNumberFormat.signed(shift)) (allowed "
            + "\(AnalysisNumberFormat.number(allowed))), canary median \(medians.0) vs stable \(medians.1), "
            + "\(AnalysisNumberFormat.pValue(test.pValue)), \(counts)"
        return ComparisonMetricResult(
            metric: metric, classification: classification, pValue: test.pValue, shift: estimate.shift,
            shiftLower: estimate.lower, shiftUpper: estimate.upper, allowedShift: allowed, canaryMedian: canaryMedian,
            stableMedian: stableMedian, canaryCount: canary.count, stableCount: stable.count,
            canaryDropped: canary.dropped, stableDropped: stable.dropped, detail: detail)
    }
}
