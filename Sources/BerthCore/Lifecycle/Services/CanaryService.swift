import BerthOCI

/// What `berth canary status` shows: where the canary stands, what comes next, and what the traffic
/// provider says is in effect.
public struct CanaryStatus: Sendable {
    public let progress: CanaryProgress
    public let policy: CanaryPolicy
    public let next: CanaryDecision
    /// Read from the provider now; nil when it has no berth routing in place.
    public let observed: TrafficSplit?
    public let router: String
}

/// Progressive delivery of a released version into one environment: traffic moves to the canary step
/// by step (`CanaryPolicy`), analysis judges each interval (`CanaryAnalyzer`), and the canary ends
/// promoted (the environment's tags move exactly as `berth promote` moves them) or aborted (all traffic
/// back to stable at once, the digest marked bad there with the evidence).
///
/// The rules are `CanaryMachine`'s; this service carries its decisions out and records each one, keyed
/// so racing berth processes record it once. Nothing is remembered between calls: every call folds the
/// ledger (`CanaryProgress`) and first reconciles the provider's actual split with it, so a berth killed
/// at any point is resumed by the next call.
public struct CanaryService: Sendable {
    public let dependencies: LifecycleDependencies
    public let promotion: PromotionService
    public let policy: CanaryPolicy
    public let router: any TrafficRouter
    public let analyzer: (any CanaryAnalyzer)?
    /// Commits the router's `versionedFiles` after each change (GitOps); nil: they are left uncommitted.
    public let git: (any GitWriter)?
    /// Waits until a time (seconds since the epoch); tests advance a fake clock instead.
    public let sleep: @Sendable (Double) async throws -> Void
    /// Told of each thing done, one line each (`berth canary run` prints them on stderr).
    public let onProgress: (@Sendable (String) -> Void)?

    public init(
        _ dependencies: LifecycleDependencies, promotion: PromotionService, policy: CanaryPolicy, router: any TrafficRouter,
        analyzer: (any CanaryAnalyzer)?, git: (any GitWriter)? = nil, sleep: @escaping @Sendable (Double) async throws -> Void,
        onProgress: (@Sendable (String) -> Void)? = nil
    ) {
        self.dependencies = dependencies
        self.promotion = promotion
        self.policy = policy
        self.router = router
        self.analyzer = analyzer
        self.git = git
        self.sleep = sleep
        self.onProgress = onProgress
    }

    var ledger: any LedgerStore { dependencies.ledger }

    // MARK: - Commands

    /// Starts a canary of `version` in `environment`: only a version the promotion rules clear for it,
    /// only against a stable version the environment runs, only one canary there at a time, and only
    /// weights the provider can deliver. Then carries out what is due now.
    public func start(repository: String, version: String, environment: String, reason: String?) async throws
        -> CanaryProgress
    {
        try await ledger.checkWritable()
        if let active = try await active(repository: repository, environment: environment) {
            throw BerthError(
                .conflict,
                "a canary of \(repository) \(active.version) is in progress in \(environment) (event \(active.started.id ?? 0)); promote or abort it first"
            )
        }
        try checkWeights()
        let preview = try await promotion.preview(
            PromotionRequest(repository: repository, version: version, environment: environment, reason: reason))
        let stable = try await ledger.status(repository: repository).first { $0.environment == environment }
        guard let stable, let stableDigest = stable.digest else {
            throw BerthError(
                .blocked,
                "\(environment) runs nothing of \(repository) yet: a canary needs a stable version to compare with and fall back to; use berth promote"
            )
        }
        guard stableDigest != preview.digest.description else {
            throw BerthError(
                .blocked, "\(environment) already runs \(repository) \(version) (\(preview.digest)); nothing to canary")
        }
        let ended = try await ledger.events(
            LedgerQuery(repository: repository, environment: environment, kinds: [.canaryPromoted, .canaryAborted], limit: 1))
        let initial = policy.split(weight: 0)
        var details = CanaryRecord.details(initial)
        details[CanaryKey.stableVersion] = stable.version
        details[CanaryKey.stableDigest] = stableDigest
        details[CanaryKey.router] = router.name
        details[CanaryKey.steps] = policy.steps.map(\.description).joined(separator: ", ")
        let event = LedgerEvent(
            kind: .canaryStarted, repository: repository, version: version, digest: preview.digest.description,
            environment: environment, gitSHA: preview.facts.events.first(where: { $0.gitSHA != nil })?.gitSHA,
            actor: dependencies.actor, time: dependencies.time.now(),
            reason: try reason.map { try FreeText.validated($0, option: "--reason") }
                ?? "canary of \(version) against \(stable.version ?? stableDigest)",
            details: details,
            onceKey: CanaryRecord.startKey(repository: repository, environment: environment, afterEnded: ended.first?.id))
        let started = try await append(event, noun: "start of a canary")
        guard let progress = CanaryProgress(started: started, events: [], limits: policy.limits) else {
            throw BerthError(.failure, "the ledger returned the canary's start without an id or digest")
        }
        report("started \(version) in \(environment) against \(stable.version ?? stableDigest) on \(router.name)")
        try await applySplit(initial, progress, change: "routing set up for \(version) at 0 %")
        return try await advance(progress, blocking: false)
    }

    /// Where the canary in `environment` stands (the newest, finished or not), or nil when none ran.
    public func status(repository: String, environment: String) async throws -> CanaryStatus? {
        guard let progress = try await latest(repository: repository, environment: environment) else { return nil }
        let observed = try? await router.current()
        return CanaryStatus(
            progress: progress, policy: policy,
            next: CanaryMachine.decide(progress, policy: policy, analysis: analyzer != nil, now: dependencies.time.now()),
            observed: observed, router: router.name)
    }

    /// Carries the canary on: reconciles the provider with the ledger, lifts a pause for a human, then
    /// does what is due (`blocking`: sleeps through waits until the canary ends, for `berth canary run`).
    public func resume(repository: String, environment: String, blocking: Bool) async throws -> CanaryProgress {
        var progress = try await requireActive(repository: repository, environment: environment)
        progress = try await reconcile(progress)
        if case .paused(let reason) = progress.phase {
            let event = canaryEvent(
                .canaryResumed, progress, reason: "resumed after: \(reason)",
                onceKey: CanaryRecord.resumeKey(canary: progress.started.id ?? 0, after: progress.lastEventID))
            try await record(event, into: &progress, noun: "resumption")
            report("resumed")
        }
        return try await advance(progress, blocking: blocking)
    }

    /// Skips the remaining steps: all traffic to the canary, then promotion.
    public func promote(repository: String, environment: String, reason: String?) async throws -> CanaryProgress {
        if let reason { _ = try FreeText.validated(reason, option: "--reason") }
        let progress = try await reconcile(try await requireActive(repository: repository, environment: environment))
        return try await finishPromoted(progress, reason: reason ?? "promoted by \(dependencies.actor) before its last step")
    }

    /// Ends the canary: all traffic back to stable, the digest marked bad in the environment.
    public func abort(repository: String, environment: String, reason: String?) async throws -> CanaryProgress {
        if let reason { _ = try FreeText.validated(reason, option: "--reason") }
        let progress = try await requireActive(repository: repository, environment: environment)
        return try await finishAborted(progress, reason: reason ?? "aborted by \(dependencies.actor)", evidence: [:])
    }

    // MARK: - The loop

    func advance(_ start: CanaryProgress, blocking: Bool) async throws -> CanaryProgress {
        var progress = start
        while true {
            let now = dependencies.time.now()
            let decision = CanaryMachine.decide(progress, policy: policy, analysis: analyzer != nil, now: now)
            switch decision {
            case .finished, .awaitHuman:
                return progress
            case .setWeight(let split, let step):
                let (effective, commit) = try await applySplit(split, progress)
                try dependencies.checkpoint.reached(.canaryTrafficApplied)
                var details = CanaryRecord.details(split)
                details[CanaryKey.step] = String(step)
                details[CanaryKey.action] = CanaryKey.weightAction
                details[CanaryKey.effectiveWeight] = String(effective.canaryWeight)
                details[DetailKey.commit] = commit
                try await recordStep(step, details: details, into: &progress)
                try dependencies.checkpoint.reached(.canaryStepRecorded)
                report("step \(step + 1)/\(policy.steps.count): \(split.canaryWeight) % to the canary")
            case .pause(let until, let step):
                var details = [CanaryKey.step: String(step), CanaryKey.action: CanaryKey.pauseAction]
                details[CanaryKey.until] = until.map { String($0) }
                try await recordStep(step, details: details, into: &progress)
                report(
                    "step \(step + 1)/\(policy.steps.count): "
                        + (until.map { "pause for \(CanaryPolicy.words($0 - now))" } ?? "pause until resumed"))
            case .completeAnalysis(let step):
                let details = [CanaryKey.step: String(step), CanaryKey.action: CanaryKey.analysisAction]
                try await recordStep(step, details: details, into: &progress)
                report("step \(step + 1)/\(policy.steps.count): analysis passed")
            case .measure(let step):
                guard let analyzer else { return progress }
                let measurement = await analyzer.measure(progress, window: policy.interval, at: now)
                var details = measurement.evidence
                details[DetailKey.outcome] = measurement.outcome.rawValue
                details[CanaryKey.summary] = measurement.summary
                details[CanaryKey.sequence] = String(progress.measurements + 1)
                details[CanaryKey.weight] = String(progress.split.canaryWeight)
                details[CanaryKey.step] = step.map(String.init)
                let event = canaryEvent(
                    .canaryMeasured, progress, reason: measurement.summary, details: details,
                    onceKey: CanaryRecord.measurementKey(canary: progress.started.id ?? 0, sequence: progress.measurements + 1))
                try await record(event, into: &progress, noun: "measurement")
                report("measurement \(progress.measurements): \(measurement.outcome.rawValue): \(measurement.summary)")
                if let rejected = measurement.rejected {
                    let reason =
                        "the metrics source rejected a query (\(rejected)); fix canary.\(progress.environment).analysis, then resume"
                    let paused = canaryEvent(
                        .canaryPaused, progress, reason: reason,
                        onceKey: CanaryRecord.pauseKey(canary: progress.started.id ?? 0, after: progress.lastEventID))
                    try await record(paused, into: &progress, noun: "pause")
                    report("paused: \(reason)")
                    return progress
                }
            case .pauseForHuman(let reason):
                let event = canaryEvent(
                    .canaryPaused, progress, reason: reason,
                    onceKey: CanaryRecord.pauseKey(canary: progress.started.id ?? 0, after: progress.lastEventID))
                try await record(event, into: &progress, noun: "pause")
                report("paused: \(reason)")
                return progress
            case .abort(let reason):
                return try await finishAborted(progress, reason: reason, evidence: try await lastEvidence(progress))
            case .promote:
                return try await finishPromoted(progress, reason: "canary passed every step")
            case .wait(let until):
                guard blocking else { return progress }
                try await sleep(until)
            }
        }
    }

    // MARK: - Endings

    func finishPromoted(_ start: CanaryProgress, reason: String) async throws -> CanaryProgress {
        var progress = start
        guard !progress.phase.isFinished else { return progress }
        try await applySplit(TrafficSplit(canaryWeight: 100), progress)
        let preview = try await promotion.preview(
            PromotionRequest(
                repository: progress.repository, version: progress.version, environment: progress.environment,
                reason: "canary \(progress.started.id ?? 0): \(reason)"))
        let outcome = try await promotion.run(preview)
        try dependencies.checkpoint.reached(.canaryPromotedTags)
        var details = [CanaryKey.weight: "100"]
        details[DetailKey.tags] = preview.plan.tags.map(\.tag).joined(separator: ",")
        let event = canaryEvent(
            .canaryPromoted, progress, reason: reason, details: details,
            onceKey: CanaryRecord.endKey(canary: progress.started.id ?? 0))
        try await record(event, into: &progress, noun: "promotion of the canary")
        report("promoted: \(progress.environment) runs \(progress.version)" + (outcome.deployed != nil ? ", deployed" : ""))
        return progress
    }

    func finishAborted(_ start: CanaryProgress, reason: String, evidence: [String: String]) async throws -> CanaryProgress {
        var progress = start
        guard !progress.phase.isFinished else { return progress }
        // Traffic first: whatever fails after, no request reaches the canary any more.
        try await applySplit(.stable, progress, change: "all traffic back to \(progress.stableVersion ?? "stable")")
        let mark = BadMark(
            repository: progress.repository, version: progress.version, digest: progress.digest,
            environment: progress.environment, reason: "canary \(progress.started.id ?? 0) aborted: \(reason)")
        do {
            _ = try await ledger.append(mark.event(actor: dependencies.actor, time: dependencies.time.now()))
        } catch is LedgerConflict {
            // Marked bad already (an earlier abort of the same digest there, or a re-run): one mark is enough.
        }
        let event = canaryEvent(
            .canaryAborted, progress, reason: reason, details: evidence,
            onceKey: CanaryRecord.endKey(canary: progress.started.id ?? 0))
        try await record(event, into: &progress, noun: "abort of the canary")
        report("aborted: \(reason); all traffic is back on \(progress.stableVersion ?? "stable")")
        return progress
    }

    /// The newest measurement's evidence, which an abort carries.
    func lastEvidence(_ progress: CanaryProgress) async throws -> [String: String] {
        let measured = try await ledger.events(
            LedgerQuery(
                repository: progress.repository, environment: progress.environment, kinds: [.canaryMeasured], limit: 1))
        guard let last = measured.first, last.details[CanaryKey.canary] == String(progress.started.id ?? 0) else {
            return [:]
        }
        return last.details.filter { $0.key != CanaryKey.canary }
    }

    // MARK: - Traffic

    /// Every weight step must be one the provider can deliver exactly.
    func checkWeights() throws {
        for (index, step) in policy.steps.enumerated() {
            guard case .setWeight(let weight) = step else { continue }
            let effective = router.effectiveWeight(weight)
            if effective != weight {
                throw BerthError(
                    .badInput,
                    "step \(index + 1) asks for \(weight) % but \(router.name) can deliver \(effective) % with its servers; choose weights it can carry or add servers"
                )
            }
        }
    }

    /// Puts `split` in place for the canary `progress`, checks the provider carries it, and commits the
    /// router's versioned files when they changed; returns the split in effect and the commit.
    @discardableResult
    func applySplit(_ split: TrafficSplit, _ progress: CanaryProgress, change: String? = nil) async throws -> (
        TrafficSplit, commit: String?
    ) {
        let effective = try await router.apply(split)
        guard effective.canaryWeight == split.canaryWeight, effective.header == split.header else {
            throw BerthError(
                .failure,
                "\(router.name) carries \(effective.canaryWeight) % to the canary after berth asked for \(split.canaryWeight) %; check its configuration"
            )
        }
        return (effective, try commitRouting(split, progress, change: change))
    }

    /// Commits what of the router's versioned files differs from HEAD (not only what this call changed:
    /// a berth that died before its commit left them rewritten); nil when there is nothing to commit.
    /// `change` says what the split does (default: the weight to the canary); the header rule is added.
    func commitRouting(_ split: TrafficSplit, _ progress: CanaryProgress, change: String? = nil) throws -> String? {
        guard let git, !router.versionedFiles.isEmpty else { return nil }
        let changed = try router.versionedFiles.filter { try git.hasUncommittedChanges($0) }
        guard !changed.isEmpty else { return nil }
        let what =
            (change ?? "\(split.canaryWeight) % to \(progress.version)")
            + (split.header.map { ", \($0.name): \($0.value) to the canary" } ?? "")
        return try git.commit(
            files: changed, message: "chore(canary): \(progress.repository) in \(progress.environment): \(what)")
    }

    /// Makes the provider agree with the ledger before acting: a split applied by a berth that died
    /// before recording it is recorded if it was the next step's, and otherwise put back.
    func reconcile(_ start: CanaryProgress) async throws -> CanaryProgress {
        var progress = start
        let observed = try await router.current()
        guard observed != progress.split else { return progress }
        let now = dependencies.time.now()
        if case .setWeight(let split, let step) = CanaryMachine.decide(progress, policy: policy, analysis: false, now: now),
            observed == split
        {
            var details = CanaryRecord.details(split)
            details[CanaryKey.step] = String(step)
            details[CanaryKey.action] = CanaryKey.weightAction
            details[CanaryKey.effectiveWeight] = String(split.canaryWeight)
            details[CanaryKey.observed] = String(split.canaryWeight)
            // A berth that died between the change and its commit left the manifest uncommitted.
            details[DetailKey.commit] = try commitRouting(split, progress)
            try await recordStep(step, details: details, into: &progress)
            report("\(router.name) already carries step \(step + 1) (\(split.canaryWeight) %): recorded it")
        } else {
            let seen = observed.map { "\($0.canaryWeight) %" } ?? "no berth routing"
            try await applySplit(
                progress.split, progress, change: "\(progress.split.canaryWeight) % to \(progress.version) again, as recorded")
            report("\(router.name) had \(seen); put back the recorded \(progress.split.canaryWeight) %")
        }
        return progress
    }

    // MARK: - Ledger

    func canaryEvent(
        _ kind: LedgerEvent.Kind, _ progress: CanaryProgress, reason: String?, details: [String: String] = [:],
        onceKey: String
    ) -> LedgerEvent {
        var details = details
        details[CanaryKey.canary] = String(progress.started.id ?? 0)
        return LedgerEvent(
            kind: kind, repository: progress.repository, version: progress.version, digest: progress.digest.description,
            environment: progress.environment, gitSHA: progress.started.gitSHA, actor: dependencies.actor,
            time: dependencies.time.now(), reason: reason, details: details, onceKey: onceKey)
    }

    func recordStep(_ step: Int, details: [String: String], into progress: inout CanaryProgress) async throws {
        let event = canaryEvent(
            .canaryStep, progress, reason: policy.steps[step].description, details: details,
            onceKey: CanaryRecord.stepKey(canary: progress.started.id ?? 0, step: step))
        try await record(event, into: &progress, noun: "step \(step + 1)")
    }

    func record(_ event: LedgerEvent, into progress: inout CanaryProgress, noun: String) async throws {
        progress.apply(try await append(event, noun: noun))
    }

    func append(_ event: LedgerEvent, noun: String) async throws -> LedgerEvent {
        do { return try await ledger.append(event) } catch let conflict as LedgerConflict {
            let winner = conflict.existing.map { " (event \($0.id ?? 0) by \($0.actor))" } ?? ""
            throw BerthError(
                .conflict,
                "another berth recorded the \(noun) of the canary of \(event.repository) \(event.version ?? "") in \(event.environment ?? "") first\(winner); run berth canary status"
            )
        }
    }

    // MARK: - Finding the canary

    /// The newest canary in `environment`, folded.
    func latest(repository: String, environment: String) async throws -> CanaryProgress? {
        let events = try await ledger.events(
            LedgerQuery(repository: repository, environment: environment, kinds: LedgerEvent.canaryKinds))
        guard let started = events.first(where: { $0.kind == .canaryStarted }) else { return nil }
        return CanaryProgress(started: started, events: events, limits: policy.limits)
    }

    func active(repository: String, environment: String) async throws -> CanaryProgress? {
        guard let latest = try await latest(repository: repository, environment: environment), !latest.phase.isFinished
        else { return nil }
        return latest
    }

    func requireActive(repository: String, environment: String) async throws -> CanaryProgress {
        guard let progress = try await active(repository: repository, environment: environment) else {
            throw BerthError(
                .usage, "no canary of \(repository) is in progress in \(environment); start one with berth canary start")
        }
        return progress
    }

    func report(_ line: String) { onProgress?(line) }
}
