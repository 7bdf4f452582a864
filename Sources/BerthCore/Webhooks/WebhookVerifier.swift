import BerthOCI

import struct Foundation.Data

/// Checks what webhook deliveries say against the registry before anything is recorded as fact, and
/// records what it found: one `webhook-verified` per hint (action, repository, digest or tag) and
/// coalescing window, so the burst an index push makes (each platform's manifest, then the index) is one
/// check, and replicas on one ledger share the work through once-keys; a tag found elsewhere than berth
/// put it becomes `drift-detected`; a finished Harbor scan of a digest berth tracks becomes its gate
/// decision (`gate-evaluated`) under berth.yaml's gate policy. A registry that can't be reached leaves the
/// hint pending, asked about again once its `backoff` has passed.
public struct WebhookVerifier: Sendable {
    public let dependencies: LifecycleDependencies
    public var policy: GatePolicy
    /// Repositories berth tracks besides those its ledger knows (berth.yaml's image.names).
    public var images: [String]
    /// Hints of one kind within this many seconds are checked once.
    public var window: Double
    /// How many recent deliveries a run looks through.
    public var horizon: Int
    /// When a hint the registry couldn't answer is tried again (shared by this verifier's copies).
    public let backoff: HintBackoff

    public init(
        _ dependencies: LifecycleDependencies, policy: GatePolicy = GatePolicy(), images: [String] = [],
        window: Double = 2, horizon: Int = 2000, backoff: HintBackoff = HintBackoff()
    ) {
        self.dependencies = dependencies
        self.policy = policy
        self.images = images
        self.window = max(window, 0.001)
        self.horizon = horizon
        self.backoff = backoff
    }

    /// What a run did.
    public struct Report: Hashable, Sendable {
        public var verified: [Verification] = []
        /// Hints already checked in their window (by this run, an earlier one or another replica).
        public var coalesced = 0
        /// Hints the registry couldn't answer for; they stay pending.
        public var failures: [String] = []
        /// Pending hints not asked about this run: the registry failed them lately (`HintBackoff`).
        public var deferred = 0
        public var drift: [RegistryDrift] = []
        public var gates: [GateRecord] = []
    }

    /// One hint checked.
    public struct Verification: Hashable, Sendable {
        public enum Result: String, Hashable, Sendable {
            /// The registry shows what the event said.
            case confirmed
            /// The tag points at another digest now.
            case moved
            /// The pushed digest (or tag) isn't there.
            case absent
            /// Deleted, says the event; still there, says the registry.
            case present
        }

        public var event: RegistryEvent
        public var result: Result
        public var observed: Digest?
        /// The deliveries that carried it (their ledger ids).
        public var deliveries: [Int64]
        /// Hints folded into this one (an index's platform manifests, repeats).
        public var folded: Int
        public var eventID: Int64?
    }

    struct Hint {
        var event: RegistryEvent
        var key: String
        var deliveries: [Int64]
        var folded: Int
    }

    /// Checks every hint of the recent deliveries not yet checked in its window.
    public func verifyPending() async throws -> Report {
        let recorded = try await dependencies.ledger.events(
            LedgerQuery(repository: WebhookDelivery.ledgerRepository, kinds: [.webhookReceived], limit: horizon))
        return try await verify(recorded.compactMap(WebhookDelivery.init).reversed(), replay: false)
    }

    /// Checks `deliveries` (oldest first); `replay` checks again even when their window was checked.
    public func verify(_ deliveries: [WebhookDelivery], replay: Bool) async throws -> Report {
        var report = Report()
        var hints: [Hint] = []
        var index: [String: Int] = [:]
        // Platform manifests an index push names are checked as part of the index.
        var referenced = Set<String>()
        for delivery in deliveries {
            for event in delivery.events where event.action == .push {
                for child in event.references { referenced.insert("\(event.repository)@\(child)") }
            }
        }
        for delivery in deliveries {
            let bucket = Int(((delivery.time ?? 0) / window).rounded(.down))
            for event in delivery.events {
                if event.action == .push, event.tag == nil, let digest = event.digest,
                    referenced.contains("\(event.repository)@\(digest)")
                {
                    report.coalesced += 1
                    continue
                }
                let key =
                    replay
                    ? "webhook-verified:\(event.hintKey):replay:\(delivery.eventID ?? 0):\(Int(dependencies.time.now()))"
                    : "webhook-verified:\(event.hintKey):\(bucket)"
                if let at = index[key] {
                    hints[at].deliveries.append(delivery.eventID ?? 0)
                    hints[at].folded += 1
                    continue
                }
                index[key] = hints.count
                hints.append(Hint(event: event, key: key, deliveries: [delivery.eventID ?? 0], folded: 0))
            }
        }
        let tracked = try await trackedRepositories()
        // An explicit replay asks now, whatever the backoff says; a pending run forgets hints that aged out.
        if !replay { backoff.keep(only: Set(hints.map(\.key))) }
        for hint in hints {
            if !replay, backoff.isWaiting(hint.key, now: dependencies.time.now()) {
                report.deferred += 1
                continue
            }
            if try await dependencies.ledger.event(onceKey: hint.key) != nil {
                backoff.answered(hint.key)
                report.coalesced += 1 + hint.folded
                continue
            }
            do {
                try await check(hint, tracked: tracked, into: &report)
                backoff.answered(hint.key)
            } catch let conflict as LedgerConflict {
                // Another replica checked it first.
                _ = conflict
                backoff.answered(hint.key)
                report.coalesced += 1 + hint.folded
            } catch {
                var failure = "\(hint.event.summary): \(error)"
                if !replay {
                    let now = dependencies.time.now()
                    let retry = backoff.failed(hint.key, now: now)
                    failure += " (asked again in \(Int((retry - now).rounded()))s)"
                }
                report.failures.append(failure)
            }
        }
        return report
    }

    /// The repositories berth tracks: berth.yaml's images and every image its ledger knows.
    func trackedRepositories() async throws -> Set<String> {
        let known = try await dependencies.ledger.repositories().filter { !$0.hasPrefix("berth:") }
        return Set(known + images)
    }

    private func check(_ hint: Hint, tracked: Set<String>, into report: inout Report) async throws {
        let event = hint.event
        let (reference, store) = try dependencies.repository(event.repository)
        let repository = reference.repository
        let observed: Digest?
        let result: Verification.Result
        switch event.action {
        case .push, .scanCompleted, .scanFailed:
            if let tag = event.tag, event.action == .push {
                observed = try await store.resolve(repository, reference: tag)?.digest
                result = observed == nil ? .absent : (event.digest == nil || observed == event.digest ? .confirmed : .moved)
            } else if let digest = event.digest {
                observed = try await store.resolve(repository, reference: digest.description)?.digest
                result = observed == nil ? .absent : .confirmed
            } else {
                throw BerthError(.badInput, "the event names neither a tag nor a digest")
            }
        case .delete:
            let target = event.digest?.description ?? event.tag
            guard let target else { throw BerthError(.badInput, "the event names neither a tag nor a digest") }
            observed = try await store.resolve(repository, reference: target)?.digest
            result = observed == nil ? .confirmed : .present
        }
        var verification = Verification(
            event: event, result: result, observed: observed, deliveries: hint.deliveries, folded: hint.folded)
        let now = dependencies.time.now()
        var details = [
            Key.image: event.repository, Key.action: event.action.rawValue, Key.result: result.rawValue,
            Key.observed: observed?.description ?? "", Key.deliveries: hint.deliveries.map(String.init).joined(separator: ","),
            Key.folded: String(hint.folded),
        ]
        if let tag = event.tag { details[DetailKey.tag] = tag }
        let recorded = try await dependencies.ledger.append(
            LedgerEvent(
                kind: .webhookVerified, repository: WebhookDelivery.ledgerRepository,
                digest: event.digest?.description, actor: dependencies.actor, time: now,
                reason: "\(event.summary): \(result.rawValue)", details: details, onceKey: hint.key))
        verification.eventID = recorded.id
        report.verified.append(verification)
        guard tracked.contains(event.repository) else { return }
        report.drift += try await driftAfter(event, observed: observed)
        if event.action == .scanCompleted, result == .confirmed, let scan = event.scan, let digest = event.digest {
            if let gate = try await recordGate(scan, repository: event.repository, digest: digest, deliveries: hint.deliveries) {
                report.gates.append(gate)
            }
        }
    }

    /// Drift on the tag the event names, or (a delete by digest) on every tag berth put on that digest.
    private func driftAfter(_ event: RegistryEvent, observed: Digest?) async throws -> [RegistryDrift] {
        let expectations = try await TagExpectations.read(event.repository, ledger: dependencies.ledger)
        var checks: [(String, Digest?)] = []
        if let tag = event.tag {
            checks.append((tag, event.action == .push || event.action == .delete ? observed : nil))
            if event.action != .push && event.action != .delete { checks.removeAll() }
        } else if event.action == .delete, let digest = event.digest {
            let (reference, store) = try dependencies.repository(event.repository)
            for (tag, expectation) in expectations.tags where expectation.digest == digest {
                checks.append((tag, try await store.resolve(reference.repository, reference: tag)?.digest))
            }
        }
        var found: [RegistryDrift] = []
        for (tag, now) in checks.sorted(by: { $0.0 < $1.0 }) {
            guard let expectation = expectations.tags[tag], expectation.digest != now else { continue }
            let drift = RegistryDrift(
                repository: event.repository, tag: tag, expected: expectation.digest, expectedEvent: expectation.eventID,
                observed: now, foundBy: "webhook")
            if try await Self.record(drift, ledger: dependencies.ledger, actor: dependencies.actor, time: dependencies.time) {
                found.append(drift)
            }
        }
        return found
    }

    /// Appends `drift` unless it is already recorded; whether this call recorded it.
    static func record(_ drift: RegistryDrift, ledger: any LedgerStore, actor: String, time: any TimeSource) async throws
        -> Bool
    {
        if try await ledger.event(onceKey: drift.onceKey) != nil { return false }
        do {
            try await ledger.append(drift.event(actor: actor, time: time.now()))
            return true
        } catch is LedgerConflict {
            return false
        }
    }

    /// The gate decision of a finished scan, recorded once per report.
    private func recordGate(_ scan: ScanSummary, repository: String, digest: Digest, deliveries: [Int64]) async throws
        -> GateRecord?
    {
        let reportID = scan.reportID ?? deliveries.map(String.init).joined(separator: ",")
        let report = Digest.sha256(of: Data("\(scan.scanner)\n\(reportID)\n\(digest)".utf8))
        let decision = try GateEvaluator.evaluate(
            summary: scan, image: digest, report: report, policy: policy, now: dependencies.time.now())
        let known = try await dependencies.ledger.events(LedgerQuery(repository: repository, digest: digest.description))
            .first { $0.version != nil && $0.kind != .gateEvaluated }
        var record = GateRecord(
            decision: decision, repository: repository, version: known?.version, environment: nil, gitSHA: known?.gitSHA,
            reportFile: "harbor scan \(reportID.prefix(80))")
        var event = record.event(actor: dependencies.actor, time: dependencies.time.now())
        event.onceKey = "harbor-scan:\(repository)@\(digest):\(reportID.prefix(120))"
        do {
            record.eventID = try await dependencies.ledger.append(event).id
        } catch is LedgerConflict {
            return nil
        }
        return record
    }

    enum Key {
        static let image = "webhook.image"
        static let action = "webhook.action"
        static let result = "webhook.result"
        static let observed = "webhook.observed"
        static let deliveries = "webhook.deliveries"
        static let folded = "webhook.folded"
    }
}
