/// berth.yaml `canary.<env>`: how a canary proceeds there, where its traffic is split, and what judges it.
public struct CanaryConfiguration: Hashable, Sendable {
    public var policy: CanaryPolicy
    public var traffic: TrafficSettings
    /// The metrics analysis reads and how each is judged; nil: no analysis (steps and pauses only).
    public var analysis: CanaryAnalysisSettings?

    public init(policy: CanaryPolicy, traffic: TrafficSettings, analysis: CanaryAnalysisSettings? = nil) {
        self.policy = policy
        self.traffic = traffic
        self.analysis = analysis
    }
}
