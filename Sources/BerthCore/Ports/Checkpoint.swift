/// The named points between the steps of a lifecycle command, where a crash must leave a state the
/// next run converges from. The CLI turns `BERTH_CRASH_AT=<point>` into a process exit there; in-process
/// tests throw instead and run the service again.
public enum LifecycleCheckpoint: String, Sendable, CaseIterable {
    case releaseImageTagged = "release.image-tagged"
    case releaseImagesTagged = "release.images-tagged"
    case releaseGitTagged = "release.git-tagged"
    case releaseGitPushed = "release.git-pushed"
    case releaseRecorded = "release.recorded"
    case promoteRetagged = "promote.retagged"
    case promoteRecorded = "promote.recorded"
    case deployRewritten = "deploy.rewritten"
    /// A canary's new split is in effect at the provider, not yet recorded.
    case canaryTrafficApplied = "canary.traffic-applied"
    /// A canary's step is recorded.
    case canaryStepRecorded = "canary.step-recorded"
    /// The canary's promotion moved the tags, and the canary isn't yet recorded as promoted.
    case canaryPromotedTags = "canary.promoted-tags"
    /// `registry sync`: an image's manifests, blobs and referrers are at the destination, its tags not yet written.
    case syncReferrersCopied = "sync.referrers-copied"
    /// `registry sync`: an image is copied and tagged, not yet recorded (nor the next one started).
    case syncImageCopied = "sync.image-copied"
}

/// A hook called at each `LifecycleCheckpoint`; the default does nothing.
public struct Checkpoint: Sendable {
    private let hook: @Sendable (LifecycleCheckpoint) throws -> Void

    public init(_ hook: @escaping @Sendable (LifecycleCheckpoint) throws -> Void) { self.hook = hook }

    public static let none = Checkpoint { _ in }

    public func reached(_ point: LifecycleCheckpoint) throws { try hook(point) }
}
