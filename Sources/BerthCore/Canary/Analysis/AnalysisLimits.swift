/// How many bad measurements an analysis tolerates, as Argo Rollouts' AnalysisRun counts them: a limit
/// is exceeded when the count goes *over* it, so 0 means the first one stops the canary.
public struct AnalysisLimits: Hashable, Sendable, Codable {
    /// Failed measurements allowed; one more aborts (default 0: the first fail aborts).
    public var failureLimit: Int
    /// Inconclusive measurements allowed; one more pauses for a human (default 0: the first pauses).
    public var inconclusiveLimit: Int
    /// Errors in a row allowed (a metrics source blip is not a verdict); one more pauses (default 4).
    public var consecutiveErrorLimit: Int

    /// Negative limits are taken as 0.
    public init(failureLimit: Int = 0, inconclusiveLimit: Int = 0, consecutiveErrorLimit: Int = 4) {
        self.failureLimit = max(0, failureLimit)
        self.inconclusiveLimit = max(0, inconclusiveLimit)
        self.consecutiveErrorLimit = max(0, consecutiveErrorLimit)
    }
}
