import BerthOCI

/// A tag the registry points elsewhere than berth put it (`drift-detected`, under the image's repository):
/// retagged through a registry's API, pushed over by hand, deleted. Once per tag, berth's event and what
/// the registry showed: found again by the next check, it is not recorded again.
public struct RegistryDrift: Hashable, Sendable {
    public var repository: String
    public var tag: String
    /// Where berth put it (nil: berth deleted it) and by which event.
    public var expected: Digest?
    public var expectedEvent: Int64
    /// Where the registry points it; nil: the tag is gone.
    public var observed: Digest?
    /// What found it: `webhook` (a delivery's verification) or `reconcile`.
    public var foundBy: String

    public init(
        repository: String, tag: String, expected: Digest?, expectedEvent: Int64, observed: Digest?, foundBy: String
    ) {
        self.repository = repository
        self.tag = tag
        self.expected = expected
        self.expectedEvent = expectedEvent
        self.observed = observed
        self.foundBy = foundBy
    }

    enum Key {
        static let expected = "drift.expected"
        static let expectedEvent = "drift.expectedEvent"
        static let observed = "drift.observed"
        static let foundBy = "drift.foundBy"
    }

    public var onceKey: String {
        "drift:\(repository):\(tag):\(expectedEvent):\(observed?.description ?? "absent")"
    }

    public var message: String {
        "\(repository):\(tag) points to \(observed?.short ?? "nothing (deleted)"); berth put \(expected?.short ?? "no image") there (event \(expectedEvent))"
    }

    public func event(actor: String, time: Double) -> LedgerEvent {
        LedgerEvent(
            kind: .driftDetected, repository: repository, digest: observed?.description, actor: actor, time: time,
            reason: message,
            details: [
                DetailKey.tag: tag, Key.expected: expected?.description ?? "", Key.expectedEvent: String(expectedEvent),
                Key.observed: observed?.description ?? "", Key.foundBy: foundBy,
            ], onceKey: onceKey)
    }

    /// Reads a `drift-detected` event; nil for another kind.
    public init?(_ event: LedgerEvent) {
        guard event.kind == .driftDetected, let tag = event.details[DetailKey.tag] else { return nil }
        repository = event.repository
        self.tag = tag
        expected = event.details[Key.expected].flatMap(Digest.init)
        expectedEvent = event.details[Key.expectedEvent].flatMap(Int64.init) ?? 0
        observed = event.details[Key.observed].flatMap(Digest.init)
        foundBy = event.details[Key.foundBy] ?? ""
    }
}
