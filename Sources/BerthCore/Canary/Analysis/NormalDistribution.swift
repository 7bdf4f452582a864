import Foundation

/// The standard normal distribution, for the Mann-Whitney normal approximation and the Hodges–Lehmann
/// interval.
enum NormalDistribution {
    /// P(Z > z), accurate in the far tail (erfc, not 1 − cdf).
    static func survival(_ z: Double) -> Double {
        if z.isNaN { return .nan }
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// P(Z ≤ z).
    static func cdf(_ z: Double) -> Double { survival(-z) }

    /// The z with P(Z ≤ z) = p, by bisection on `cdf` down to adjacent doubles: called once per interval,
    /// so exactness matters more than speed. p ≤ 0 gives −∞, p ≥ 1 gives +∞.
    static func quantile(_ p: Double) -> Double {
        if p.isNaN { return .nan }
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        var low = -40.0
        var high = 40.0
        while true {
            let middle = (low + high) / 2
            if middle <= low || middle >= high { break }
            if cdf(middle) < p { low = middle } else { high = middle }
        }
        return abs(cdf(low) - p) <= abs(cdf(high) - p) ? low : high
    }
}
