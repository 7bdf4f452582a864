/// One step of a canary, from berth.yaml `canary.<env>.steps`, as Argo Rollouts spells them.
public enum CanaryStep: Hashable, Sendable, CustomStringConvertible {
    /// Send this percent of the traffic the header rule doesn't claim to the canary.
    case setWeight(Int)
    /// Wait this many seconds (analysis goes on in the background), or, with nil, until a human runs
    /// `berth canary resume` (or `promote`).
    case pause(seconds: Double?)
    /// Take this many measurements at the current weight, one per analysis interval; each must pass.
    case analysis(measurements: Int)

    public var description: String {
        switch self {
        case .setWeight(let weight): "setWeight \(weight)"
        case .pause(let seconds?): "pause \(CanaryPolicy.words(seconds))"
        case .pause(nil): "pause until resumed"
        case .analysis(let count): "analysis ×\(count)"
        }
    }
}

/// How a canary in one environment proceeds: its steps, its header rule, how often analysis measures
/// and how many bad measurements it tolerates (Argo's AnalysisRun limits).
public struct CanaryPolicy: Hashable, Sendable {
    public var steps: [CanaryStep]
    /// Requests with this header and value always reach the canary, whatever the weight.
    public var header: HeaderRoute?
    /// Seconds between background measurements while traffic reaches the canary.
    public var interval: Double
    /// How many failed, inconclusive and erroneous measurements abort or pause it (Argo's limits).
    public var limits: AnalysisLimits

    public init(
        steps: [CanaryStep], header: HeaderRoute? = nil, interval: Double = 60, limits: AnalysisLimits = AnalysisLimits()
    ) {
        self.steps = steps
        self.header = header
        self.interval = interval
        self.limits = limits
    }

    /// The split a weight step puts in place.
    public func split(weight: Int) -> TrafficSplit { TrafficSplit(canaryWeight: weight, header: header) }

    /// `90 s`, `5 min`, `2 h 30 min`.
    static func words(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 120 { return "\(whole) s" }
        if whole < 7200 { return "\(whole / 60) min" }
        return whole % 3600 == 0 ? "\(whole / 3600) h" : "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
