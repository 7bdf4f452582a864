/// One judged measurement of a canary against its stable version, with the evidence the ledger keeps
/// (each query, its value, the bound or the comparison's figures).
public struct CanaryMeasurement: Hashable, Sendable {
    public var outcome: MeasurementOutcome
    /// One line: `success-rate 0.81 < min 0.99`, `score 62 (< 75): latency-p99 high (p=0.003, +48 %)`.
    public var summary: String
    /// Flat evidence for the ledger (`metric.success-rate.query`, `….value`, `….bound`, …).
    public var evidence: [String: String]

    public init(outcome: MeasurementOutcome, summary: String, evidence: [String: String] = [:]) {
        self.outcome = outcome
        self.summary = summary
        self.evidence = evidence
    }
}

/// Measures a canary: every configured metric over the last `window` seconds, judged. A metrics source
/// that can't answer gives an `.error` measurement, never a thrown error: that pauses, it doesn't judge.
public protocol CanaryAnalyzer: Sendable {
    func measure(_ canary: CanaryProgress, window: Double, at time: Double) async -> CanaryMeasurement
}
