/// What `--deepen` fetched into a shallow clone before planning: shown in the explanation and `--json`.
public struct DeepenReport: Hashable, Sendable {
    /// The remote fetched from.
    public let remote: String
    /// Whether the clone was shallow when berth started (else nothing was fetched).
    public let wasShallow: Bool
    /// The history fetches, in order.
    public let steps: [DeepenStep]
    /// How many tags were fetched (tags whose commits the fetches brought).
    public let tagsFetched: Int
    /// Why the history was deep enough to plan.
    public let outcome: HistoryDepth.Reason

    public init(remote: String, wasShallow: Bool, steps: [DeepenStep], tagsFetched: Int, outcome: HistoryDepth.Reason) {
        self.remote = remote
        self.wasShallow = wasShallow
        self.steps = steps
        self.tagsFetched = tagsFetched
        self.outcome = outcome
    }

    /// One clause for the decision's explanation.
    public var explanation: String {
        guard wasShallow else { return "not a shallow clone: nothing to deepen" }
        let why: String
        switch outcome {
        case .complete: why = "the history is complete"
        case .noVersionTags: why = "'\(remote)' has no version tag, so the initial version needs no history"
        case .baseReached: why = "the base tag and every commit since it are here"
        }
        let fetched = steps.isEmpty ? "no fetch" : steps.map(\.summary).joined(separator: ", then ")
        let stepCount = "\(steps.count) deepen step\(steps.count == 1 ? "" : "s")"
        return
            "shallow clone deepened from '\(remote)' in \(stepCount) (\(fetched)), \(tagsFetched) tag\(tagsFetched == 1 ? "" : "s") fetched: \(why)"
    }
}
