/// The bookkeeping of one analysis, pure: the counts of each outcome and the decision after each
/// measurement (Argo Rollouts' AnalysisRun semantics). Failures and inconclusives count over the whole
/// run; errors count only in a row, since any other outcome proves the source answers again.
///
/// Checks after each measurement, in order: failures > `failureLimit` → `abort`; inconclusives >
/// `inconclusiveLimit` → `pause(.inconclusive)`; consecutive errors > `consecutiveErrorLimit` →
/// `pause(.error)`. Once stopped, the run stays stopped: later measurements are counted but the
/// decision doesn't change (a resumed canary starts a new run).
public struct AnalysisRun: Hashable, Sendable {
    public let limits: AnalysisLimits
    /// Every outcome recorded, in order.
    public private(set) var outcomes: [MeasurementOutcome] = []
    public private(set) var passes = 0
    public private(set) var failures = 0
    public private(set) var inconclusives = 0
    /// All errors, in a row or not (for the evidence).
    public private(set) var errors = 0
    public private(set) var consecutiveErrors = 0
    /// The decision after the last measurement (`continue` before the first).
    public private(set) var decision: AnalysisDecision = .continue
    /// Why, in one line: `2 failed measurements > limit 1`; empty while continuing.
    public private(set) var reason = ""

    public init(limits: AnalysisLimits = AnalysisLimits()) {
        self.limits = limits
    }

    /// Replays outcomes (e.g. a canary's measurements read back from the ledger).
    public init(limits: AnalysisLimits = AnalysisLimits(), outcomes: some Sequence<MeasurementOutcome>) {
        self.init(limits: limits)
        for outcome in outcomes { record(outcome) }
    }

    /// Counts one measurement and returns the decision after it.
    @discardableResult
    public mutating func record(_ outcome: MeasurementOutcome) -> AnalysisDecision {
        outcomes.append(outcome)
        switch outcome {
        case .pass:
            passes += 1
            consecutiveErrors = 0
        case .fail:
            failures += 1
            consecutiveErrors = 0
        case .inconclusive:
            inconclusives += 1
            consecutiveErrors = 0
        case .error:
            errors += 1
            consecutiveErrors += 1
        }
        guard !decision.isTerminal else { return decision }
        if failures > limits.failureLimit {
            decision = .abort
            reason = "\(Self.count(failures, "failed measurement")) > limit \(limits.failureLimit)"
        } else if inconclusives > limits.inconclusiveLimit {
            decision = .pause(.inconclusive)
            reason = "\(Self.count(inconclusives, "inconclusive measurement")) > limit \(limits.inconclusiveLimit)"
        } else if consecutiveErrors > limits.consecutiveErrorLimit {
            decision = .pause(.error)
            reason = "\(Self.count(consecutiveErrors, "measurement error")) in a row > limit \(limits.consecutiveErrorLimit)"
        }
        return decision
    }

    private static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}
