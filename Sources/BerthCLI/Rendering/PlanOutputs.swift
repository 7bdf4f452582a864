import BerthCore

/// What the CI formats and `labels` render: a plan, or docker/metadata-action's outputs when its rules run
/// before any checkout (then there is no decision from git history: no git tag, new-version or channel).
struct PlanOutputs {
    let tags: TagPlan
    let metadata: BuildMetadata
    let decision: VersionDecision?
    /// The action's outputs, with its rules.
    let action: MetadataActionOutputs?
    let revision: String

    init(_ plan: ReleasePlan) {
        tags = plan.tags
        metadata = plan.metadata
        decision = plan.decision
        action = plan.metadataAction
        revision = plan.decision.headCommit
    }

    init(_ action: MetadataActionOutputs) {
        tags = action.tags
        metadata = action.metadata
        decision = nil
        self.action = action
        revision = action.revision
    }

    /// The `version` output: metadata-action's, else the planned SemVer (as tagged).
    var version: String {
        guard let decision, tags.version.isEmpty else { return tags.version }
        return decision.version.description
    }
}
