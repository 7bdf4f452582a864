/// The Mann-Whitney U test (Wilcoxon rank-sum) of whether x tends to be larger or smaller than y. It
/// needs no distribution assumption, which is why canary analysis uses it: latencies are skewed and
/// per-second error rates are mostly zeros. NaN and ±Inf are dropped first and counted.
///
/// U is x's statistic as SciPy reports it: the pairs with xᵢ > yⱼ plus half the tied pairs. The p-value
/// is exact (the permutation distribution) for small samples without ties, otherwise the normal
/// approximation with tie correction and continuity correction, as `scipy.stats.mannwhitneyu`
/// computes them.
public struct MannWhitneyU: Hashable, Sendable {
    /// Which difference the test looks for.
    public enum Alternative: String, Hashable, Sendable, Codable, CaseIterable {
        /// x and y differ, either way.
        case twoSided = "two-sided"
        /// x tends to be larger than y.
        case greater
        /// x tends to be smaller than y.
        case less
    }

    /// How the p-value is computed.
    public enum Method: String, Hashable, Sendable, Codable, CaseIterable {
        /// Exact when both samples have at most 20 values and there are no ties, otherwise normal.
        case automatic
        /// Exact when possible (no ties, both samples ≤ 20); falls back to normal otherwise.
        case exact
        /// The normal approximation, always.
        case normal
    }

    /// U of x: pairs with xᵢ > yⱼ plus half the tied pairs.
    public let u: Double
    /// The p-value for `alternative`, in [0, 1]. 1 when a sample is empty or all values are equal:
    /// no evidence of a difference.
    public let pValue: Double
    /// The normal approximation's z (continuity-corrected); nil when the p-value is exact or undefined.
    public let z: Double?
    /// Whether the p-value comes from the exact distribution.
    public let isExact: Bool
    public let alternative: Alternative
    /// Finite values used from x and from y.
    public let xCount: Int
    public let yCount: Int
    /// NaN and infinite values dropped from x and from y.
    public let xDropped: Int
    public let yDropped: Int
    /// Whether any value occurs more than once in the pooled sample.
    public let hasTies: Bool

    public init(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided, method: Method = .automatic) {
        self.init(FiniteSample(x), FiniteSample(y), alternative: alternative, method: method)
    }

    public init(_ x: FiniteSample, _ y: FiniteSample, alternative: Alternative = .twoSided, method: Method = .automatic) {
        self.alternative = alternative
        xCount = x.count
        yCount = y.count
        xDropped = x.dropped
        yDropped = y.dropped
        let n1 = Double(x.count)
        let n2 = Double(y.count)
        guard x.count > 0, y.count > 0 else {
            u = 0
            pValue = 1
            z = nil
            isExact = false
            hasTies = false
            return
        }
        let ranking = Self.rank(x.values, y.values)
        let u1 = ranking.xRankSum - n1 * (n1 + 1) / 2
        u = u1
        hasTies = ranking.tieTerm > 0
        let u2 = n1 * n2 - u1
        // The statistic whose upper tail is the p-value, and the tail multiplier (SciPy's convention).
        let (statistic, factor): (Double, Double) =
            switch alternative {
            case .twoSided: (max(u1, u2), 2)
            case .greater: (u1, 1)
            case .less: (u2, 1)
            }
        let small =
            x.count <= MannWhitneyExactDistribution.maximumSampleSize
            && y.count <= MannWhitneyExactDistribution.maximumSampleSize
        let useExact = method != .normal && small && !hasTies
        if useExact {
            let distribution = MannWhitneyExactDistribution(m: x.count, n: y.count)
            pValue = min(1, max(0, factor * distribution.survival(statistic)))
            z = nil
            isExact = true
            return
        }
        isExact = false
        let total = n1 + n2
        let variance = n1 * n2 / 12 * ((total + 1) - ranking.tieTerm / (total * (total - 1)))
        guard variance > 0 else {
            // Every value equal: ranks carry no information.
            pValue = 1
            z = nil
            return
        }
        let score = (statistic - n1 * n2 / 2 - 0.5) / variance.squareRoot()
        z = score
        pValue = min(1, max(0, factor * NormalDistribution.survival(score)))
    }

    /// x's rank sum in the pooled sample (ties get their average rank) and Σ(t³ − t) over tie groups.
    static func rank(_ x: [Double], _ y: [Double]) -> (xRankSum: Double, tieTerm: Double) {
        var pooled: [(value: Double, isX: Bool)] = []
        pooled.reserveCapacity(x.count + y.count)
        for value in x { pooled.append((value, true)) }
        for value in y { pooled.append((value, false)) }
        pooled.sort { $0.value < $1.value }
        var xRankSum = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start + 1
            while end < pooled.count && pooled[end].value == pooled[start].value { end += 1 }
            // Ranks start+1 … end share their average.
            let averageRank = Double(start + 1 + end) / 2
            var xInGroup = 0
            for index in start..<end where pooled[index].isX { xInGroup += 1 }
            xRankSum += averageRank * Double(xInGroup)
            let size = Double(end - start)
            tieTerm += size * size * size - size
            start = end
        }
        return (xRankSum, tieTerm)
    }
}
