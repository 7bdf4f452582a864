import BerthOCI

/// One tag the plan will push, and why.
public struct PlannedTag: Hashable, Sendable {
    public let tag: ImageTag
    public let mobility: TagMobility
    /// The template or metadata-action rule it came from.
    public let source: String

    public init(tag: ImageTag, mobility: TagMobility, source: String) {
        self.tag = tag
        self.mobility = mobility
        self.source = source
    }
}

/// The tags of this build for every image: the value `berth tags` shows and `berth plan` checks.
public struct TagPlan: Hashable, Sendable {
    /// Image names without tags (`ghcr.io/acme/api`); may be empty for bare tags.
    public let images: [String]
    public let tags: [PlannedTag]
    /// The main version string for outputs (metadata-action's `version`).
    public let version: String
    /// Templates whose floating tag was left out, with the reason (for `--verbose` and `--json`).
    public let omitted: [String]

    public init(images: [String], tags: [PlannedTag], version: String, omitted: [String] = []) {
        self.images = images
        self.tags = tags
        self.version = version
        self.omitted = omitted
    }

    /// `image:tag` for every image and tag, images outermost; bare tags when there is no image.
    public var references: [String] {
        images.isEmpty ? tags.map(\.tag.value) : images.flatMap { image in tags.map { "\(image):\($0.tag.value)" } }
    }
}
