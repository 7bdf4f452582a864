/// What a canary does after a measurement.
public enum AnalysisDecision: Hashable, Sendable {
    /// Within the limits: keep going.
    case `continue`
    /// More failures than `failureLimit`: roll back.
    case abort
    /// Stop for a human, who looks at the evidence and resumes, promotes or aborts.
    case pause(PauseReason)

    /// Why an analysis paused.
    public enum PauseReason: String, Hashable, Sendable, Codable, CaseIterable {
        /// More inconclusive measurements than `inconclusiveLimit`.
        case inconclusive
        /// More errors in a row than `consecutiveErrorLimit`: the metrics source needs fixing.
        case error
    }

    /// Whether the analysis has stopped (abort or pause).
    public var isTerminal: Bool { self != .continue }
}
