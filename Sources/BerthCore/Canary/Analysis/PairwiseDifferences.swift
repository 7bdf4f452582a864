/// Order statistics of the n1·n2 differences xᵢ − yⱼ without always materialising them: small products
/// are sorted outright; large ones (a day of 15 s points is 33 million pairs) are searched by
/// weighted-median pivots over per-row candidate ranges (Johnson & Mizoguchi), in O((n1 + n2) log) memory.
struct PairwiseDifferences: Sendable {
    /// Above this many pairs, ranks are selected rather than sorted.
    static let sortLimit = 250_000

    let x: [Double]
    /// y in descending order, so each row xᵢ − y[j] increases with j.
    let yDescending: [Double]
    private let sorted: [Double]?

    init(x: [Double], y: [Double], sortLimit: Int = Self.sortLimit) {
        self.x = x.sorted()
        yDescending = y.sorted(by: >)
        let pairs = x.count * y.count
        if pairs <= sortLimit {
            var all: [Double] = []
            all.reserveCapacity(pairs)
            for xi in x { for yj in y { all.append(xi - yj) } }
            sorted = all.sorted()
        } else {
            sorted = nil
        }
    }

    var count: Int { x.count * yDescending.count }

    /// The difference of 0-based rank `rank` in ascending order.
    func value(atRank rank: Int) -> Double {
        precondition(rank >= 0 && rank < count)
        if let sorted { return sorted[rank] }
        return select(rank)
    }

    /// The median of the differences (the mean of the middle two when there is an even number).
    var median: Double {
        let middle = count / 2
        return count % 2 == 1 ? value(atRank: middle) : (value(atRank: middle - 1) + value(atRank: middle)) / 2
    }

    private func element(_ row: Int, _ column: Int) -> Double { x[row] - yDescending[column] }

    /// The first column in `low..<high` of `row` whose difference is not below `pivot` (or above it, when
    /// `inclusive`).
    private func partition(_ row: Int, _ low: Int, _ high: Int, _ pivot: Double, inclusive: Bool) -> Int {
        var low = low
        var high = high
        while low < high {
            let middle = (low + high) / 2
            let value = element(row, middle)
            if value < pivot || (inclusive && value == pivot) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func select(_ rank: Int) -> Double {
        let rows = x.count
        var lower = [Int](repeating: 0, count: rows)
        var upper = [Int](repeating: yDescending.count, count: rows)
        var below = 0  // differences known to rank below every remaining candidate
        while true {
            var remaining = 0
            for row in 0..<rows { remaining += upper[row] - lower[row] }
            if remaining <= max(4 * rows, 4096) {
                var candidates: [Double] = []
                candidates.reserveCapacity(remaining)
                for row in 0..<rows { for column in lower[row]..<upper[row] { candidates.append(element(row, column)) } }
                candidates.sort()
                return candidates[rank - below]
            }
            // The weighted median of the rows' middle candidates discards at least a quarter of them.
            var middles: [(value: Double, weight: Int)] = []
            for row in 0..<rows where upper[row] > lower[row] {
                middles.append((element(row, (lower[row] + upper[row]) / 2), upper[row] - lower[row]))
            }
            middles.sort { $0.value < $1.value }
            var cumulative = 0
            var pivot = middles[middles.count - 1].value
            for middle in middles {
                cumulative += middle.weight
                if 2 * cumulative >= remaining {
                    pivot = middle.value
                    break
                }
            }
            var less = [Int](repeating: 0, count: rows)
            var notAbove = [Int](repeating: 0, count: rows)
            var lessCount = 0
            var notAboveCount = 0
            for row in 0..<rows {
                less[row] = partition(row, lower[row], upper[row], pivot, inclusive: false)
                notAbove[row] = partition(row, less[row], upper[row], pivot, inclusive: true)
                lessCount += less[row] - lower[row]
                notAboveCount += notAbove[row] - lower[row]
            }
            let wanted = rank - below
            if wanted < lessCount {
                upper = less
            } else if wanted < notAboveCount {
                return pivot
            } else {
                below += notAboveCount
                lower = notAbove
            }
        }
    }
}
