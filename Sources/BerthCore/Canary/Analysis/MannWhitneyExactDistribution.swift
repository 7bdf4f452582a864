/// The exact null distribution of the Mann-Whitney U statistic for samples of m and n values without
/// ties: how many of the C(m+n, m) equally likely orderings give each U. The counts are the
/// coefficients of the Gaussian binomial [m+n choose m]_q, built one factor at a time so every
/// intermediate is itself a Gaussian binomial (non-negative, and C(40, 20) ≈ 1.4e11 fits an Int).
struct MannWhitneyExactDistribution: Sendable {
    /// The largest sample size the exact distribution is used for.
    static let maximumSampleSize = 20

    let m: Int
    let n: Int
    /// counts[u]: orderings with U = u, for u in 0...m·n.
    let counts: [Int]
    let total: Int

    init(m: Int, n: Int) {
        precondition(m >= 0 && n >= 0 && m <= Self.maximumSampleSize && n <= Self.maximumSampleSize)
        self.m = m
        self.n = n
        let top = m * n
        var counts = [Int](repeating: 0, count: top + 1)
        counts[0] = 1
        // [n+i choose i]_q = [n+i-1 choose i-1]_q · (1 − q^(n+i)) / (1 − q^i)
        if m > 0 {
            for i in 1...m {
                let shift = n + i
                if shift <= top {
                    for k in stride(from: top, through: shift, by: -1) { counts[k] -= counts[k - shift] }
                }
                if i <= top {
                    for k in i...top { counts[k] += counts[k - i] }
                }
            }
        }
        self.counts = counts
        total = counts.reduce(0, +)
    }

    /// P(U ≥ u).
    func survival(_ u: Double) -> Double {
        let start = max(0, Int(u.rounded(.up)))
        guard start <= m * n else { return 0 }
        return Double(counts[start...].reduce(0, +)) / Double(total)
    }

    /// P(U ≤ u).
    func cdf(_ u: Double) -> Double {
        let end = min(m * n, Int(u.rounded(.down)))
        guard end >= 0 else { return 0 }
        return Double(counts[...end].reduce(0, +)) / Double(total)
    }

    /// The smallest u with P(U ≤ u) ≥ p (R's `qwilcox`).
    func quantile(_ p: Double) -> Int {
        var cumulative = 0
        for (u, count) in counts.enumerated() {
            cumulative += count
            if Double(cumulative) / Double(total) >= p { return u }
        }
        return m * n
    }
}
