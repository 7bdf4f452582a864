/// Integer weights per server for a canary percent, where a provider weights servers (nginx, HAProxy):
/// every stable server gets `stable`, every canary server `canary`, so each side spreads its share
/// evenly. Integer weights within `1...maxWeight` can't give every percent with every server count
/// (50 stable servers and one canary at most 256 : 50 ⇒ 84 %), so `plan` picks the pair whose exact
/// share is nearest, and `canaryPercent` is what it delivers, rounded to a whole percent.
public struct ServerWeights: Hashable, Sendable {
    /// The weight of each stable server; 0 when the canary takes everything.
    public let stable: Int
    /// The weight of each canary server; 0 when stable takes everything.
    public let canary: Int
    public let stableServers: Int
    public let canaryServers: Int

    public init(stable: Int, canary: Int, stableServers: Int, canaryServers: Int) {
        self.stable = stable
        self.canary = canary
        self.stableServers = stableServers
        self.canaryServers = canaryServers
    }

    /// The canary's share of the weight, rounded half up to a whole percent.
    public var canaryPercent: Int {
        Self.percent(part: canary * canaryServers, total: stable * stableServers + canary * canaryServers) ?? 0
    }

    /// The weights whose share is nearest `percent` (clamped to 0...100). Among equally near pairs, the
    /// one whose weights add up nearest 100 (so one server a side reads as percent: 90 and 10), then the
    /// smaller. 0 and 100 put the other side at 0.
    public static func plan(percent: Int, stableServers: Int, canaryServers: Int, maxWeight: Int) -> ServerWeights {
        let p = min(max(percent, 0), 100)
        let m = max(stableServers, 1)
        let n = max(canaryServers, 1)
        func make(_ s: Int, _ c: Int) -> ServerWeights {
            ServerWeights(stable: s, canary: c, stableServers: stableServers, canaryServers: canaryServers)
        }
        func evenly(_ servers: Int) -> Int { min(max((100 + servers / 2) / servers, 1), maxWeight) }
        if p == 0 { return make(evenly(m), 0) }
        if p == 100 { return make(0, evenly(n)) }

        // Error of (s, c) as a fraction of the total: |100·n·c − p·T| / T with T = m·s + n·c.
        var best: (s: Int, c: Int, error: Int, total: Int)?
        func consider(_ s: Int, _ c: Int) {
            guard (1...maxWeight).contains(s), (1...maxWeight).contains(c) else { return }
            let total = m * s + n * c
            let error = abs(100 * n * c - p * total)
            guard let current = best else {
                best = (s, c, error, total)
                return
            }
            // error / total < current.error / current.total, compared without division.
            let left = error * current.total
            let right = current.error * total
            if left < right
                || (left == right
                    && (abs(total - 100), total) < (abs(current.total - 100), current.total))
            {
                best = (s, c, error, total)
            }
        }
        for s in 1...maxWeight {
            // c = p·m·s / ((100 − p)·n), either side of it.
            let numerator = p * m * s
            let denominator = (100 - p) * n
            consider(s, numerator / denominator)
            consider(s, numerator / denominator + 1)
        }
        for c in 1...maxWeight {
            let numerator = (100 - p) * n * c
            let denominator = p * m
            consider(numerator / denominator, c)
            consider(numerator / denominator + 1, c)
        }
        guard let best else { return make(evenly(m), 0) }
        return make(best.s, best.c)
    }

    /// `part` of `total` as a whole percent, rounded half up; nil when `total` is 0.
    public static func percent(part: Int, total: Int) -> Int? {
        guard total > 0 else { return nil }
        return (200 * part + total) / (2 * total)
    }
}
