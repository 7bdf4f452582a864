/// What docker/metadata-action outputs for one build, computed by berth: the version, the tags, the labels
/// (its eight OCI keys, then its `labels:` lines), the annotations (the same keys, then its `annotations:`
/// lines, at each level), and its `json` document; with berth's build args and Go `-ldflags`.
public struct MetadataActionOutputs: Sendable {
    /// The action's version: main, partials, latest.
    public let version: MetadataActionVersion
    public let tags: TagPlan
    /// The build's metadata: its labels are the action's (in the action's order), `created` is berth's.
    public let metadata: BuildMetadata
    /// The annotations as `level:key=value` lines.
    public let annotations: [String]
    /// The levels of `annotations` (`DOCKER_METADATA_ANNOTATIONS_LEVELS`).
    public let levels: [String]
    /// The commit the labels name: `GITHUB_SHA`, the pull request's head with `DOCKER_METADATA_PR_HEAD_SHA`.
    public let revision: String

    public init(
        version: MetadataActionVersion, tags: TagPlan, metadata: BuildMetadata, annotations: [String], levels: [String],
        revision: String
    ) {
        self.version = version
        self.tags = tags
        self.metadata = metadata
        self.annotations = annotations
        self.levels = levels
        self.revision = revision
    }

    /// The tags without image names (the action's `tag-names`).
    public var tagNames: [String] { tags.tags.map(\.tag.value) }

    /// The labels as `key=value` lines (the action's `labels`).
    public var labels: [String] { metadata.labels.map { "\($0.key)=\($0.value)" } }

    /// The action's `json` output: `tags`, `tag-names`, `labels` (an object) and `annotations`.
    public var json: Document {
        Document(
            tags: tags.references, tagNames: tagNames,
            labels: Dictionary(metadata.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }), annotations: annotations)
    }

    /// The action's `json` output document.
    public struct Document: Codable, Equatable, Sendable {
        public let tags: [String]
        public let tagNames: [String]
        public let labels: [String: String]
        public let annotations: [String]

        public init(tags: [String], tagNames: [String], labels: [String: String], annotations: [String]) {
            self.tags = tags
            self.tagNames = tagNames
            self.labels = labels
            self.annotations = annotations
        }

        enum CodingKeys: String, CodingKey {
            case tags
            case tagNames = "tag-names"
            case labels, annotations
        }
    }
}
