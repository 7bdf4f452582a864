/// What a canary does next.
public enum CanaryDecision: Hashable, Sendable {
    /// Carry out step `index`: put `split` in place (a weight step).
    case setWeight(TrafficSplit, step: Int)
    /// Begin step `index`, a pause: until `until`, or until a human resumes it (nil).
    case pause(until: Double?, step: Int)
    /// Take a measurement: for the analysis step `step`, or in the background (nil).
    case measure(step: Int?)
    /// Record analysis step `step` as done: its measurements passed.
    case completeAnalysis(step: Int)
    /// Nothing is due before `until`.
    case wait(until: Double)
    /// Too many failed measurements: abort, with why.
    case abort(reason: String)
    /// Stop for a human, with why (inconclusive measurements, a metrics source that keeps failing).
    case pauseForHuman(reason: String)
    /// Paused for a human already: nothing happens until `berth canary resume`/`promote`/`abort`.
    case awaitHuman(reason: String)
    /// Every step is done and every measurement passed: promote.
    case promote
    /// Promoted or aborted.
    case finished
}

/// The canary's rules, pure: given where it stands (`CanaryProgress`), its policy and the time, what
/// happens next. `CanaryService` carries the decision out, records it, and asks again.
///
/// Order of concerns: a finished canary stays finished; a pause for a human holds everything; then the
/// analysis run's decision (over a limit: abort or pause); a background measurement whenever one is due
/// and traffic reaches the canary; a timed pause waits; then the next step.
public enum CanaryMachine {
    public static func decide(_ progress: CanaryProgress, policy: CanaryPolicy, analysis: Bool, now: Double) -> CanaryDecision {
        switch progress.phase {
        case .promoted, .aborted: return .finished
        case .paused(let reason): return .awaitHuman(reason: reason)
        case .progressing: break
        }
        switch progress.analysis.decision {
        case .abort: return .abort(reason: progress.analysis.reason)
        case .pause(.inconclusive):
            return .pauseForHuman(reason: progress.analysis.reason + ": look at the evidence, then resume, promote or abort")
        case .pause(.error):
            return .pauseForHuman(reason: progress.analysis.reason + ": fix the metrics source, then resume")
        case .continue: break
        }
        // Each measurement covers the interval before it, so the first comes an interval after the
        // step that changed the traffic, and the next an interval after that.
        let nextMeasurement = max(progress.lastMeasurement ?? 0, progress.stepStarted) + policy.interval
        let reachesCanary = progress.split.canaryWeight > 0 || progress.split.header != nil
        let current = progress.nextStep < policy.steps.count ? policy.steps[progress.nextStep] : nil
        if case .analysis(let count) = current {
            guard analysis else {
                return .abort(reason: "step \(progress.nextStep + 1) is an analysis step, but no metrics are configured")
            }
            if progress.stepPasses >= count { return .completeAnalysis(step: progress.nextStep) }
            return now >= nextMeasurement ? .measure(step: progress.nextStep) : .wait(until: nextMeasurement)
        }
        if analysis && reachesCanary && now >= nextMeasurement { return .measure(step: nil) }
        if progress.isPausing(at: now), let until = progress.pausedUntil {
            return .wait(until: analysis && reachesCanary ? min(until, nextMeasurement) : until)
        }
        switch current {
        case nil: return .promote
        case .setWeight(let weight)?: return .setWeight(policy.split(weight: weight), step: progress.nextStep)
        case .pause(let seconds)?: return .pause(until: seconds.map { now + $0 }, step: progress.nextStep)
        case .analysis?: return .finished  // unreachable: analysis steps return above
        }
    }
}
