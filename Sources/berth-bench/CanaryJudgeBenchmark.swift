// `berth-bench canary-judges [RUNS] [SEED] [POINTS]` (scripts/bench-canary-judges.sh runs it): how often the canary
// judges catch a regression within three analysis intervals, and how often they raise a false alarm on a
// good canary, on synthetic metrics from a seeded generator. Prints a Markdown table.
import BerthCore
import Foundation

/// SplitMix64 (Steele, Lea & Flood): small, fast, and the same numbers on every machine and toolchain,
/// unlike `SystemRandomNumberGenerator`.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform in low...high (the modulo bias is below 1e-17 for these ranges).
    mutating func integer(_ low: Int, _ high: Int) -> Int { low + Int(next() % UInt64(high - low + 1)) }

    /// Standard normal, Box–Muller.
    mutating func normal() -> Double {
        let u = 1 - unit()  // (0, 1]: log(u) is finite
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit())
    }
}

enum CanaryJudgeBenchmark {
    /// What the canary does differently from stable.
    struct Scenario {
        let name: String
        /// The canary's request failure probability; nil: a good canary's (0.5–1 %, like stable's).
        let errorRate: Double?
        /// The canary's latencies are a good canary's (stable's ± 5 %) times this.
        let latencyFactor: Double
        var isRegression: Bool { errorRate != nil || latencyFactor != 1 }
    }

    static let scenarios = [
        Scenario(name: "good canary (no regression)", errorRate: nil, latencyFactor: 1),
        Scenario(name: "20 % of requests fail", errorRate: 0.20, latencyFactor: 1),
        Scenario(name: "2× latency", errorRate: nil, latencyFactor: 2),
        Scenario(name: "5 % of requests fail", errorRate: 0.05, latencyFactor: 1),
        Scenario(name: "1.3× latency", errorRate: nil, latencyFactor: 1.3),
        Scenario(name: "2 % of requests fail", errorRate: 0.02, latencyFactor: 1),
        Scenario(name: "1.15× latency", errorRate: nil, latencyFactor: 1.15),
    ]

    static let intervals = 3
    static let secondsPerInterval = 60
    static let latencySigma = 0.5
    static let z99 = 2.326_347_874_040_840_8

    /// The comparison judge as the benchmark configures it: the defaults, the error rate critical with a
    /// one-point absolute floor (a stable median of 0 errors would otherwise tolerate nothing).
    static let errorMetric = ComparisonMetric(name: "error-rate", absoluteTolerance: 0.01, critical: true)
    static let latencyMetric = ComparisonMetric(name: "latency")

    /// One interval of one side: per-second request counts, errors and latency sums, and every latency.
    struct Window {
        var secondRequests: [Int] = []
        var secondErrors: [Int] = []
        var secondLatencySums: [Double] = []
        var latencies: [Double] = []

        var requests: Int { secondRequests.reduce(0, +) }
        var errors: Int { secondErrors.reduce(0, +) }

        /// The interval as `points` points a side: each one's error rate and mean latency over its
        /// seconds, as `rate(errors[Ns]) / rate(requests[Ns])` with step N s would give them.
        func points(_ points: Int) -> (errorRates: [Double], meanLatencies: [Double]) {
            let width = secondRequests.count / points
            var result: (errorRates: [Double], meanLatencies: [Double]) = ([], [])
            for start in stride(from: 0, to: secondRequests.count, by: width) {
                let seconds = start..<(start + width)
                let requests = Double(secondRequests[seconds].reduce(0, +))
                result.errorRates.append(Double(secondErrors[seconds].reduce(0, +)) / requests)
                result.meanLatencies.append(secondLatencySums[seconds].reduce(0, +) / requests)
            }
            return result
        }
    }

    static func window(_ rng: inout SplitMix64, errorRate: Double, latencyMedian: Double) -> Window {
        var window = Window()
        let mu = log(latencyMedian)
        for _ in 0..<secondsPerInterval {
            let requests = rng.integer(20, 50)
            var errors = 0
            var sum = 0.0
            for _ in 0..<requests {
                if rng.unit() < errorRate { errors += 1 }
                let latency = exp(mu + latencySigma * rng.normal())
                sum += latency
                window.latencies.append(latency)
            }
            window.secondRequests.append(requests)
            window.secondErrors.append(errors)
            window.secondLatencySums.append(sum)
        }
        return window
    }

    static func p99(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((0.99 * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// How one judge's analysis ended in one run: aborted at interval n, paused, or ran its three intervals.
    enum Ending {
        case aborted(Int)
        case paused
        case completed
    }

    struct Tally {
        var endings: [Ending] = []
        var nanoseconds: [Double] = []

        var abortIntervals: [Int] { endings.compactMap { if case .aborted(let at) = $0 { at } else { nil } } }
        var paused: Int { endings.filter { if case .paused = $0 { true } else { false } }.count }
    }

    static func main(_ arguments: [String]) -> Int32 {
        guard arguments.count <= 3, let runs = Int(arguments.first ?? "500"), runs > 0,
            let seed = UInt64(arguments.count > 1 ? arguments[1] : "1"),
            let points = Int(arguments.count > 2 ? arguments[2] : "60"), points > 0, secondsPerInterval % points == 0
        else {
            FileHandle.standardError.write(
                Data("usage: berth-bench canary-judges [RUNS] [SEED] [POINTS per 60 s interval, a divisor of 60]\n".utf8))
            return 64
        }
        let comparison = ComparisonJudge()
        print(
            "| scenario | judge | runs | aborted within \(intervals) intervals | paused | median interval of the abort | target |"
        )
        print("|---|---|---:|---:|---:|---:|---|")
        var comparisonTimes: [Double] = []
        var thresholdTimes: [Double] = []
        for (index, scenario) in scenarios.enumerated() {
            var tallies = (comparison: Tally(), threshold: Tally())
            for run in 0..<runs {
                var rng = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(index) << 32 &+ UInt64(run))
                let stableErrorRate = rng.uniform(0.005, 0.01)
                let stableMedian = rng.uniform(0.08, 0.15)
                // Even a good canary isn't stable's twin: its own error rate from the same range, its
                // latency up to 5 % off (another node, a colder cache), inside the 10 % tolerance.
                let canaryErrorRate = rng.uniform(0.005, 0.01)
                let canaryOffset = rng.uniform(0.95, 1.05)
                let threshold = (
                    success: ThresholdJudge(
                        metric: "success rate", bound: .min(0.95), minimumSamples: 50, sampleUnit: "requests"),
                    latency: ThresholdJudge(
                        metric: "p99 latency", bound: .max(2 * stableMedian * exp(z99 * latencySigma)))
                )
                var analyses = (comparison: AnalysisRun(), threshold: AnalysisRun())
                var endings: (comparison: Ending?, threshold: Ending?) = (nil, nil)
                for interval in 1...intervals {
                    let stable = window(&rng, errorRate: stableErrorRate, latencyMedian: stableMedian)
                    let canary = window(
                        &rng, errorRate: scenario.errorRate ?? canaryErrorRate,
                        latencyMedian: stableMedian * canaryOffset * scenario.latencyFactor)
                    if endings.comparison == nil {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let (canaryPoints, stablePoints) = (canary.points(points), stable.points(points))
                        let verdict = comparison.judge([
                            ComparisonInput(
                                metric: errorMetric, canary: canaryPoints.errorRates, stable: stablePoints.errorRates),
                            ComparisonInput(
                                metric: latencyMetric, canary: canaryPoints.meanLatencies, stable: stablePoints.meanLatencies),
                        ])
                        comparisonTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start))
                        endings.comparison = ending(analyses.comparison.record(verdict.outcome), interval)
                    }
                    if endings.threshold == nil {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let outcome = MeasurementOutcome.combining([
                            threshold.success.judge(
                                .value(1 - Double(canary.errors) / Double(canary.requests)),
                                sampleCount: .value(Double(canary.requests))
                            ).outcome,
                            threshold.latency.judge(.value(p99(canary.latencies))).outcome,
                        ])
                        thresholdTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start))
                        endings.threshold = ending(analyses.threshold.record(outcome), interval)
                    }
                }
                tallies.comparison.endings.append(endings.comparison ?? .completed)
                tallies.threshold.endings.append(endings.threshold ?? .completed)
            }
            for (judge, tally) in [("comparison", tallies.comparison), ("threshold", tallies.threshold)] {
                let aborted = tally.abortIntervals
                let target =
                    judge == "threshold"
                    ? "–"
                    : scenario.isRegression
                        ? (scenario.name.hasPrefix("20 %") || scenario.name.hasPrefix("2×") ? "≥ 95 %" : "(sensitivity)")
                        : "≤ 1 % false alarms"
                print(
                    "| \(scenario.name) | \(judge) | \(runs) | \(percent(aborted.count, runs)) | \(percent(tally.paused, runs)) | "
                        + "\(aborted.isEmpty ? "–" : format(median(aborted.map(Double.init)))) | \(target) |")
            }
        }
        print("")
        print(
            "Median time per measurement: comparison judge (2 metrics, \(points) + \(points) points each) "
                + "\(format(median(comparisonTimes) / 1000)) µs; threshold judge (2 metrics, p99 of the interval's "
                + "requests included) \(format(median(thresholdTimes) / 1000)) µs. Seed \(seed), \(points) points a side "
                + "per interval.")
        return 0
    }

    static func ending(_ decision: AnalysisDecision, _ interval: Int) -> Ending? {
        switch decision {
        case .continue: nil
        case .abort: .aborted(interval)
        case .pause: .paused
        }
    }

    static func percent(_ count: Int, _ total: Int) -> String {
        String(format: "%.1f %%", 100 * Double(count) / Double(total))
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
