import BerthOCI

/// Where a canary stands, folded from its ledger events and nothing else: so a berth process killed at
/// any point is resumed from what was recorded, and any number of readers agree.
public struct CanaryProgress: Hashable, Sendable {
    public enum Phase: Hashable, Sendable {
        case progressing
        /// Waiting for a human (`berth canary resume` or `promote`): an indefinite pause step, too many
        /// inconclusive measurements, or a metrics source that keeps failing.
        case paused(reason: String)
        case promoted
        case aborted(reason: String)

        public var isFinished: Bool {
            switch self {
            case .promoted, .aborted: true
            case .progressing, .paused: false
            }
        }
    }

    /// The `canary-started` event: its id names the canary in once-keys.
    public let started: LedgerEvent
    public var repository: String { started.repository }
    public var environment: String { started.environment ?? "" }
    public var version: String { started.version ?? "" }
    public let digest: Digest
    /// What the environment ran when the canary started: what traffic falls back to.
    public let stableVersion: String?
    public let stableDigest: String?

    public internal(set) var phase: Phase = .progressing
    /// The next step to carry out (== steps.count when every step is done).
    public internal(set) var nextStep = 0
    /// The split last recorded as applied.
    public internal(set) var split: TrafficSplit
    /// The end of a timed pause in progress.
    public internal(set) var pausedUntil: Double?
    /// Measurements taken, in all.
    public internal(set) var measurements = 0
    /// The measurements since the start or the last human resume, against the policy's limits: a human
    /// who resumes a paused canary starts a new run (Argo's AnalysisRun).
    public internal(set) var analysis: AnalysisRun
    public var failures: Int { analysis.failures }
    public var inconclusives: Int { analysis.inconclusives }
    public var consecutiveErrors: Int { analysis.consecutiveErrors }
    /// Passing measurements at the analysis step in progress.
    public internal(set) var stepPasses = 0
    public internal(set) var lastMeasurement: Double?
    /// When the last step was carried out (the start, before any).
    public internal(set) var stepStarted: Double
    /// The newest event of this canary (a pause or resume names it in its once-key).
    public internal(set) var lastEventID: Int64

    /// Folds `events` (any order, any kinds; only this canary's are read) onto the started event;
    /// measurements count against `limits`.
    public init?(started: LedgerEvent, events: [LedgerEvent], limits: AnalysisLimits = AnalysisLimits()) {
        guard started.kind == .canaryStarted, let id = started.id, let digest = started.digest.flatMap(Digest.init) else {
            return nil
        }
        self.started = started
        self.digest = digest
        analysis = AnalysisRun(limits: limits)
        stableVersion = started.details[CanaryKey.stableVersion]
        stableDigest = started.details[CanaryKey.stableDigest]
        split = CanaryRecord.split(started.details) ?? .stable
        lastEventID = id
        stepStarted = started.time
        let own = events.filter { $0.details[CanaryKey.canary] == String(id) && ($0.id ?? 0) > id }
            .sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        for event in own { apply(event) }
    }

    mutating func apply(_ event: LedgerEvent) {
        lastEventID = max(lastEventID, event.id ?? 0)
        let details = event.details
        switch event.kind {
        case .canaryStep:
            guard let index = details[CanaryKey.step].flatMap(Int.init) else { return }
            nextStep = max(nextStep, index + 1)
            stepPasses = 0
            pausedUntil = nil
            stepStarted = event.time
            if let split = CanaryRecord.split(details) { self.split = split }
            if details[CanaryKey.action] == CanaryKey.pauseAction {
                if let until = details[CanaryKey.until].flatMap(Double.init) {
                    pausedUntil = until
                } else {
                    phase = .paused(reason: "the canary pauses at step \(index + 1) until it is resumed")
                }
            }
        case .canaryMeasured:
            measurements += 1
            lastMeasurement = event.time
            // An outcome berth can't read counts as an error: it proves nothing about the build.
            let outcome = details[DetailKey.outcome].flatMap(MeasurementOutcome.init(rawValue:)) ?? .error
            analysis.record(outcome)
            if outcome == .pass, details[CanaryKey.step].flatMap(Int.init) == nextStep { stepPasses += 1 }
        case .canaryPaused:
            phase = .paused(reason: event.reason ?? "paused")
        case .canaryResumed:
            phase = .progressing
            analysis = AnalysisRun(limits: analysis.limits)
        case .canaryPromoted:
            phase = .promoted
        case .canaryAborted:
            phase = .aborted(reason: event.reason ?? "aborted")
            split = .stable
        default:
            return
        }
    }

    /// Whether a timed pause is still running at `now`.
    public func isPausing(at now: Double) -> Bool { pausedUntil.map { now < $0 } ?? false }
}
