import Foundation

/// The Hodges–Lehmann estimate of how far x is shifted from y: the median of every pairwise difference
/// xᵢ − yⱼ (canary − stable). It goes with the Mann-Whitney test: robust to outliers and skew, in the
/// metric's own unit, so a tolerance can be stated as "10 % of the stable median". NaN and ±Inf are
/// dropped first.
///
/// The confidence interval inverts the Mann-Whitney test: [D₍k₎, D₍N+1−k₎] of the N sorted differences,
/// with k from the exact U distribution for small samples without ties (as R's `wilcox.test`), else
/// k = round(N/2 − z₁₋α/₂·√(n1·n2·(n1+n2+1)/12)) (normal, continuity-corrected, no tie correction), at
/// least 1.
public struct HodgesLehmann: Hashable, Sendable {
    /// Median of xᵢ − yⱼ; nil when either sample has no finite value.
    public let shift: Double?
    /// The confidence interval for the shift, when one was asked for and both samples have values.
    public let lower: Double?
    public let upper: Double?
    /// The confidence level asked for (e.g. 0.95), if any.
    public let confidence: Double?
    /// Finite values used from x and from y.
    public let xCount: Int
    public let yCount: Int

    public init(_ x: [Double], _ y: [Double], confidence: Double? = nil) {
        self.init(FiniteSample(x), FiniteSample(y), confidence: confidence)
    }

    public init(_ x: FiniteSample, _ y: FiniteSample, confidence: Double? = nil) {
        xCount = x.count
        yCount = y.count
        self.confidence = confidence
        guard x.count > 0, y.count > 0 else {
            shift = nil
            lower = nil
            upper = nil
            return
        }
        let differences = PairwiseDifferences(x: x.values, y: y.values)
        shift = differences.median
        guard let confidence, confidence > 0, confidence < 1 else {
            lower = nil
            upper = nil
            return
        }
        let k = Self.lowerRank(xCount: x.count, yCount: y.count, confidence: confidence, exact: Self.exactApplies(x, y))
        // k is 1-based: D(k) and D(N + 1 − k) are 0-based ranks k − 1 and N − k.
        lower = differences.value(atRank: k - 1)
        upper = differences.value(atRank: differences.count - k)
    }

    static func exactApplies(_ x: FiniteSample, _ y: FiniteSample) -> Bool {
        guard x.count <= MannWhitneyExactDistribution.maximumSampleSize,
            y.count <= MannWhitneyExactDistribution.maximumSampleSize
        else { return false }
        return Set(x.values + y.values).count == x.count + y.count
    }

    /// The 1-based rank k of the interval's lower end.
    static func lowerRank(xCount: Int, yCount: Int, confidence: Double, exact: Bool) -> Int {
        let alpha = 1 - confidence
        let pairs = xCount * yCount
        let k: Int
        if exact {
            k = MannWhitneyExactDistribution(m: xCount, n: yCount).quantile(alpha / 2)
        } else {
            let sigma = (Double(pairs) * Double(xCount + yCount + 1) / 12).squareRoot()
            let z = NormalDistribution.quantile(1 - alpha / 2)
            k = Int((Double(pairs) / 2 - z * sigma).rounded())
        }
        return min(max(k, 1), (pairs + 1) / 2)
    }
}
