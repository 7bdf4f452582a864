import BerthOCI

/// The names of a canary event's details, in one place (see `DetailKey`).
public enum CanaryKey {
    /// The id of the canary's `canary-started` event, on every later event of it.
    public static let canary = "canary"
    public static let stableVersion = "stableVersion"
    public static let stableDigest = "stableDigest"
    public static let step = "step"
    public static let action = "action"
    public static let weight = "weight"
    public static let effectiveWeight = "effectiveWeight"
    public static let header = "header"
    public static let until = "until"
    public static let router = "router"
    public static let steps = "steps"
    public static let summary = "summary"
    public static let sequence = "measurement"
    public static let observed = "observedWeight"

    public static let weightAction = "setWeight"
    public static let pauseAction = "pause"
    public static let analysisAction = "analysis"
}

/// Builds a canary's ledger events and their once-keys. Every key names the state it moves from, so of
/// racing berth processes one records and the others are refused (and told so).
public enum CanaryRecord {
    /// One canary at a time per environment: the start is keyed on the newest canary that ended there.
    public static func startKey(repository: String, environment: String, afterEnded: Int64?) -> String {
        "canary-start:\(repository):\(environment):after:\(afterEnded ?? 0)"
    }

    public static func stepKey(canary: Int64, step: Int) -> String { "canary-step:\(canary):\(step)" }
    public static func measurementKey(canary: Int64, sequence: Int) -> String { "canary-measure:\(canary):\(sequence)" }
    public static func pauseKey(canary: Int64, after: Int64) -> String { "canary-pause:\(canary):after:\(after)" }
    public static func resumeKey(canary: Int64, after: Int64) -> String { "canary-resume:\(canary):after:\(after)" }
    /// A canary ends once: promoted or aborted, never both.
    public static func endKey(canary: Int64) -> String { "canary-end:\(canary)" }

    /// A split as details: `weight`, and `header` as `name: value` when there is a header rule.
    public static func details(_ split: TrafficSplit) -> [String: String] {
        var details = [CanaryKey.weight: String(split.canaryWeight)]
        if let header = split.header { details[CanaryKey.header] = "\(header.name): \(header.value)" }
        return details
    }

    /// The split recorded in `details`, if any.
    public static func split(_ details: [String: String]) -> TrafficSplit? {
        guard let weight = details[CanaryKey.weight].flatMap(Int.init) else { return nil }
        let header = details[CanaryKey.header].flatMap { text -> HeaderRoute? in
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return HeaderRoute(
                name: String(text[..<colon]), value: String(text[text.index(after: colon)...].drop(while: { $0 == " " })))
        }
        return TrafficSplit(canaryWeight: weight, header: header)
    }
}
