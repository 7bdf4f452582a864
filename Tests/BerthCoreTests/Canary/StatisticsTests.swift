import Testing

@testable import BerthCore

struct StatisticsTests {
    typealias Data = StatisticsReferenceData

    struct MannWhitneyCase: Sendable, CustomTestStringConvertible {
        let name: String
        let x: [Double]
        let y: [Double]
        let u: Double
        /// SciPy's p-values: two-sided, greater, less.
        let p: (twoSided: Double, greater: Double, less: Double)
        let exact: Bool
        var testDescription: String { name }
    }

    static let mannWhitneyCases: [MannWhitneyCase] = [
        MannWhitneyCase(
            name: "separated 5 and 5", x: Data.separated.x, y: Data.separated.y, u: 0,
            p: (0.007936507936507936, 1.0, 0.003968253968253968), exact: true),
        MannWhitneyCase(
            name: "interleaved 6 and 7", x: Data.interleaved.x, y: Data.interleaved.y, u: 26,
            p: (0.5337995337995338, 0.2668997668997669, 0.7773892773892774), exact: true),
        MannWhitneyCase(
            name: "small samples with ties (normal)", x: Data.smallTies.x, y: Data.smallTies.y, u: 9,
            p: (0.3051980278051718, 0.8872011957212257, 0.1525990139025859), exact: false),
        MannWhitneyCase(
            name: "log-normal 20 and 20", x: Data.logNormal20.x, y: Data.logNormal20.y, u: 129,
            p: (0.05588843890338304, 0.973800239063575, 0.02794421945169152), exact: true),
        MannWhitneyCase(
            name: "normal 25 and 30", x: Data.normal25x30.x, y: Data.normal25x30.y, u: 250,
            p: (0.03534059796598986, 0.9830532811405932, 0.01767029898299493), exact: false),
        MannWhitneyCase(
            name: "error rates, mostly zeros", x: Data.errorRates.x, y: Data.errorRates.y, u: 1358,
            p: (1.3203744152473252e-08, 6.601872076236626e-09, 0.9999999937806422), exact: false),
        MannWhitneyCase(name: "one value each", x: [3], y: [1], u: 1, p: (1.0, 0.5, 1.0), exact: true),
    ]

    @Test("Mann-Whitney U and p-values agree with SciPy", arguments: mannWhitneyCases)
    func mannWhitneyAgreesWithSciPy(_ reference: MannWhitneyCase) {
        let expected: [(MannWhitneyU.Alternative, Double)] = [
            (.twoSided, reference.p.twoSided), (.greater, reference.p.greater), (.less, reference.p.less),
        ]
        for (alternative, p) in expected {
            let test = MannWhitneyU(reference.x, reference.y, alternative: alternative)
            #expect(test.u == reference.u)
            #expect(test.isExact == reference.exact)
            #expect(abs(test.pValue - p) <= 1e-12 * max(1, p) + 1e-15, "\(alternative): \(test.pValue) vs \(p)")
        }
    }

    @Test("the normal approximation, asked for on small samples, agrees with SciPy's asymptotic method")
    func normalOnSmallSamples() {
        let twoSided = MannWhitneyU(Data.logNormal20.x, Data.logNormal20.y, method: .normal)
        #expect(!twoSided.isExact)
        #expect(abs(twoSided.pValue - 0.05651653736796189) < 1e-12)
        let less = MannWhitneyU(Data.logNormal20.x, Data.logNormal20.y, alternative: .less, method: .normal)
        #expect(abs(less.pValue - 0.028258268683980944) < 1e-12)
        #expect(less.z != nil)
    }

    @Test("exact is used only without ties and at most 20 values a side, whatever was asked")
    func exactFallsBack() {
        #expect(!MannWhitneyU(Data.smallTies.x, Data.smallTies.y, method: .exact).isExact)
        #expect(!MannWhitneyU(Data.normal25x30.x, Data.normal25x30.y, method: .exact).isExact)
        #expect(MannWhitneyU(Data.interleaved.x, Data.interleaved.y, method: .exact).isExact)
    }

    @Test(
        "no data and constant data give p = 1: no evidence of a difference",
        arguments: [
            ([Double](), [1.0, 2, 3]), ([1.0, 2], []), ([], []), ([5.0, 5, 5, 5], [5.0, 5, 5]),
            ([Double.nan, .infinity], [1.0, 2]), (Array(repeating: 0.0, count: 60), Array(repeating: 0.0, count: 60)),
        ])
    func degenerate(x: [Double], y: [Double]) {
        for alternative in MannWhitneyU.Alternative.allCases {
            let test = MannWhitneyU(x, y, alternative: alternative)
            #expect(test.pValue == 1)
            #expect(test.z == nil)
        }
    }

    @Test("NaN and infinities are dropped and counted; the rest is tested as if they weren't there")
    func nonFiniteDropped() {
        let x = Data.normal25x30.x + [.nan, .infinity]
        let y = [-.infinity] + Data.normal25x30.y + [.nan]
        let test = MannWhitneyU(x, y, alternative: .less)
        #expect(test.xDropped == 2 && test.yDropped == 2)
        #expect(test.xCount == 25 && test.yCount == 30)
        #expect(abs(test.pValue - 0.01767029898299493) < 1e-12)
        let sample = FiniteSample([1, .nan, 3, .infinity, -.infinity, 2])
        #expect(sample.values == [1, 3, 2])
        #expect(sample.dropped == 3)
        #expect(sample.median == 2)
        #expect(FiniteSample([.nan]).median == nil)
    }

    @Test("a shift in one direction is significant one-sided only that way")
    func oneSided() {
        let stable = (0..<30).map { Double($0) }
        let canary = stable.map { $0 + 12 }
        #expect(MannWhitneyU(canary, stable, alternative: .greater).pValue < 0.01)
        #expect(MannWhitneyU(canary, stable, alternative: .less).pValue > 0.99)
        #expect(MannWhitneyU(canary, stable).pValue < 0.02)
    }

    @Test("the exact distribution's counts sum to C(m+n, m) and are symmetric")
    func exactDistribution() {
        for (m, n) in [(1, 1), (3, 4), (7, 5), (20, 20), (0, 4)] {
            let distribution = MannWhitneyExactDistribution(m: m, n: n)
            var binomial = 1
            for i in 0..<m { binomial = binomial * (n + m - i) / (i + 1) }
            #expect(distribution.total == binomial, "\(m)×\(n)")
            #expect(distribution.counts == distribution.counts.reversed(), "\(m)×\(n)")
            #expect(distribution.counts.allSatisfy { $0 >= 0 })
        }
        // C(40, 20): the largest table.
        #expect(MannWhitneyExactDistribution(m: 20, n: 20).total == 137_846_528_820)
        #expect(MannWhitneyExactDistribution(m: 20, n: 20).quantile(0.025) == 128)
    }

    @Test(
        "Hodges–Lehmann shift is the median of pairwise differences",
        arguments: [
            (Data.separated.x, Data.separated.y, -5.0),
            (Data.interleaved.x, Data.interleaved.y, 1.0999999999999996),
            (Data.smallTies.x, Data.smallTies.y, -1.0),
            (Data.logNormal20.x, Data.logNormal20.y, -0.31705),
            (Data.normal25x30.x, Data.normal25x30.y, -1.2160000000000002),
            (Data.errorRates.x, Data.errorRates.y, 0.033334),
            ([3.0], [1.0], 2.0),
            ([4.0, 4, 4], [4.0, 4], 0.0),
        ])
    func hodgesLehmann(x: [Double], y: [Double], shift: Double) throws {
        let estimate = HodgesLehmann(x, y)
        let computed = try #require(estimate.shift)
        #expect(abs(computed - shift) < 1e-12, "\(computed) vs \(shift)")
        #expect(estimate.lower == nil && estimate.upper == nil)
    }

    @Test(
        "Hodges–Lehmann intervals agree with R's wilcox.test rule",
        arguments: [
            (Data.interleaved.x, Data.interleaved.y, 0.95, -3.8, 5.1),
            (Data.interleaved.x, Data.interleaved.y, 0.90, -2.8, 4.1),
            (Data.logNormal20.x, Data.logNormal20.y, 0.95, -0.7296999999999998, 0.005099999999999993),
            (Data.normal25x30.x, Data.normal25x30.y, 0.95, -2.154, -0.05400000000000027),
            (Data.normal25x30.x, Data.normal25x30.y, 0.90, -2.008000000000001, -0.2519999999999989),
            (Data.separated.x, Data.separated.y, 0.95, -8, -2),
            ([1.0, 2, 3], [4.0, 5, 6], 0.95, -5, -1),
        ])
    func hodgesLehmannInterval(x: [Double], y: [Double], confidence: Double, lower: Double, upper: Double) throws {
        let estimate = HodgesLehmann(x, y, confidence: confidence)
        let low = try #require(estimate.lower)
        let high = try #require(estimate.upper)
        #expect(abs(low - lower) < 1e-12 && abs(high - upper) < 1e-12, "[\(low), \(high)] vs [\(lower), \(upper)]")
        #expect(low <= estimate.shift! && estimate.shift! <= high)
    }

    @Test("Hodges–Lehmann has no shift without data on both sides")
    func hodgesLehmannEmpty() {
        #expect(HodgesLehmann([], [1, 2], confidence: 0.95).shift == nil)
        #expect(HodgesLehmann([.nan, .infinity], [1, 2]).shift == nil)
        #expect(HodgesLehmann([.nan, 4], [1, 2]).shift == 2.5)
    }

    @Test("the normal interval's rank matches the exact one at 20 a side")
    func normalRankNearExact() {
        #expect(HodgesLehmann.lowerRank(xCount: 20, yCount: 20, confidence: 0.95, exact: false) == 128)
        #expect(HodgesLehmann.lowerRank(xCount: 20, yCount: 20, confidence: 0.95, exact: true) == 128)
    }

    @Test("selecting ranks of pairwise differences without sorting them all gives the sorted order", arguments: [0, 1, 2])
    func pairwiseSelection(seed: UInt64) {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        // Seed 2 draws from a few values only: many ties.
        let draw = { seed == 2 ? (next() * 5).rounded() : next() * 100 }
        let x = (0..<73).map { _ in draw() }
        let y = (0..<91).map { _ in draw() }
        let brute = x.flatMap { a in y.map { a - $0 } }.sorted()
        let selected = PairwiseDifferences(x: x, y: y, sortLimit: 0)
        for rank in [0, 1, 17, brute.count / 3, brute.count / 2 - 1, brute.count / 2, brute.count - 2, brute.count - 1] {
            #expect(selected.value(atRank: rank) == brute[rank], "rank \(rank)")
        }
        let sorted = PairwiseDifferences(x: x, y: y)
        #expect(selected.median == sorted.median)
    }

    @Test("a day of points a side (over 250,000 pairs) still gives the shift")
    func largeSamples() throws {
        let stable = (0..<2000).map { Double($0 % 997) / 10 }
        let canary = stable.map { $0 + 3 }
        let estimate = HodgesLehmann(canary, stable, confidence: 0.95)
        #expect(try #require(estimate.shift) == 3)
        #expect(try #require(estimate.lower) <= 3)
        #expect(try #require(estimate.upper) >= 3)
    }

    @Test(
        "the normal distribution's tails and quantiles agree with SciPy",
        arguments: [
            (0.0, 0.5), (1.96, 0.024997895148220435), (5.0, 2.866515718791933e-07), (10.0, 7.61985302416047e-24),
            (-3.0, 0.9986501019683699),
        ])
    func normalSurvival(z: Double, survival: Double) {
        #expect(abs(NormalDistribution.survival(z) - survival) <= 1e-13 * survival)
    }

    @Test(
        "normal quantiles agree with SciPy",
        arguments: [
            (0.5, 0.0), (0.975, 1.959963984540054), (0.995, 2.5758293035489004), (0.025, -1.9599639845400545),
            (1e-10, -6.361340902404056),
        ])
    func normalQuantile(p: Double, z: Double) {
        #expect(abs(NormalDistribution.quantile(p) - z) < 1e-12)
    }
}
