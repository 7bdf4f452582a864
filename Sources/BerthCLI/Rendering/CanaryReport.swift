import BerthCore
import BerthOCI

/// A canary as `berth canary …` prints it: a few lines of text, or one JSON object (docs/json.md).
enum CanaryReport {
    struct JSON: Encodable {
        let repository: String
        let environment: String
        let version: String
        let digest: String
        let stableVersion: String?
        let stableDigest: String?
        let phase: String
        let reason: String?
        let step: Int
        let steps: Int
        let weight: Int
        let header: String?
        let observedWeight: Int?
        let measurements: Int
        let failures: Int
        let inconclusive: Int
        let consecutiveErrors: Int
        let next: String
        let router: String
        let startedEvent: Int64
    }

    static func print(_ progress: CanaryProgress, service: CanaryService, json: Bool) async throws {
        guard let status = try await service.status(repository: progress.repository, environment: progress.environment) else {
            return
        }
        try print(status, json: json)
    }

    static func print(_ status: CanaryStatus, json: Bool) throws {
        let progress = status.progress
        let (phase, reason) = words(progress.phase)
        if json {
            Terminal.write(
                try JSONOutput.encode(
                    JSON(
                        repository: progress.repository, environment: progress.environment, version: progress.version,
                        digest: progress.digest.description, stableVersion: progress.stableVersion,
                        stableDigest: progress.stableDigest, phase: phase, reason: reason, step: progress.nextStep,
                        steps: status.policy.steps.count, weight: progress.split.canaryWeight,
                        header: progress.split.header.map { "\($0.name): \($0.value)" },
                        observedWeight: status.observed?.canaryWeight, measurements: progress.measurements,
                        failures: progress.failures, inconclusive: progress.inconclusives,
                        consecutiveErrors: progress.consecutiveErrors, next: next(status.next), router: status.router,
                        startedEvent: progress.started.id ?? 0)) + "\n")
            return
        }
        var lines = [
            "canary of \(progress.version) (\(progress.digest.short)) in \(progress.environment) against \(progress.stableVersion ?? "?"): \(phase)"
                + (reason.map { " — \($0)" } ?? "")
        ]
        let observed = status.observed.map { "\($0.canaryWeight) %" } ?? "no berth routing"
        lines.append(
            "  step \(min(progress.nextStep, status.policy.steps.count))/\(status.policy.steps.count), "
                + "\(progress.split.canaryWeight) % to the canary (\(status.router) carries \(observed))"
                + (progress.split.header.map { ", header \($0.name): \($0.value)" } ?? ""))
        lines.append(
            "  measurements \(progress.measurements): \(progress.failures) failed, \(progress.inconclusives) inconclusive, "
                + "\(progress.consecutiveErrors) errors in a row")
        lines.append("  next: \(next(status.next))")
        Terminal.write(lines.map { TerminalText.escaped($0) + "\n" }.joined())
    }

    static func words(_ phase: CanaryProgress.Phase) -> (String, String?) {
        switch phase {
        case .progressing: ("progressing", nil)
        case .paused(let reason): ("paused", reason)
        case .promoted: ("promoted", nil)
        case .aborted(let reason): ("aborted", reason)
        }
    }

    static func next(_ decision: CanaryDecision) -> String {
        switch decision {
        case .setWeight(let split, let step): "step \(step + 1): \(split.canaryWeight) % to the canary"
        case .pause(let until, let step): "step \(step + 1): " + (until == nil ? "pause until resumed" : "pause")
        case .measure: "a measurement"
        case .completeAnalysis(let step): "step \(step + 1): analysis complete"
        case .wait(let until): "waiting until \(RFC3339.utc(seconds: Int64(until))) (berth canary resume or run)"
        case .abort(let reason): "abort: \(reason)"
        case .pauseForHuman(let reason), .awaitHuman(let reason): "a human: \(reason) (berth canary resume, promote or abort)"
        case .promote: "promotion"
        case .finished: "nothing: finished"
        }
    }
}
