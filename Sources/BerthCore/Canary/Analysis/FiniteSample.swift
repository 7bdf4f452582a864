/// Observations with NaN and ±Inf removed, and how many were removed. Prometheus answers NaN for 0/0
/// (a rate with no requests) and ±Inf for a quantile beyond the last bucket; rank statistics can't
/// order NaN and an infinity would swamp a shift, so the tests work on finite values and the evidence
/// says how many were left out.
public struct FiniteSample: Hashable, Sendable {
    /// The finite values, in their original order.
    public let values: [Double]
    /// How many NaN and infinite values were dropped.
    public let dropped: Int

    public init(_ raw: [Double]) {
        let finite = raw.filter(\.isFinite)
        values = finite
        dropped = raw.count - finite.count
    }

    /// How many finite values there are.
    public var count: Int { values.count }

    /// The median of the finite values; nil when there are none.
    public var median: Double? { Self.median(ofSorted: values.sorted()) }

    static func median(ofSorted sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
