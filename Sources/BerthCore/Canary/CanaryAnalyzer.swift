/// One judged measurement of a canary against its stable version, with the evidence the ledger keeps
/// (each query, its value, the bound or the comparison's figures).
public struct CanaryMeasurement: Hashable, Sendable {
    public var outcome: MeasurementOutcome
    /// One line: `success-rate 0.81 < min 0.99`, `score 62 (< 75): latency-p99 high (p=0.003, +48 %)`.
    public var summary: String
    /// Flat evidence for the ledger (`metric.success-rate.query`, `….value`, `….bound`, …).
    public var evidence: [String: String]
    /// The source refused a query as written (bad PromQL, credentials, no API there): asking again
    /// can't help, so the canary stops for a human at once. Nil when nothing was refused.
    public var rejected: String?

    public init(outcome: MeasurementOutcome, summary: String, evidence: [String: String] = [:], rejected: String? = nil) {
        self.outcome = outcome
        self.summary = summary
        self.evidence = evidence
        self.rejected = rejected
    }
}

/// Measures a canary: every configured metric over the last `window` seconds, judged. A metrics source
/// that can't answer gives an `.error` measurement, never a thrown error: that pauses, it doesn't judge.
public protocol CanaryAnalyzer: Sendable {
    func measure(_ canary: CanaryProgress, window: Double, at time: Double) async -> CanaryMeasurement
}
