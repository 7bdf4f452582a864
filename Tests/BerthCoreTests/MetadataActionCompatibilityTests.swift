import BerthCore
import BerthOCI
import Foundation
import Testing

/// Every case of docker/metadata-action's own unit tests (`__tests__/meta.test.ts`), ported as data to
/// Fixtures/metadata-action/cases.json with the event payloads they read (see NOTICE there), run through
/// berth's metadata-action engine: the context from the case's GITHUB_* variables and payload, then
/// version, tags in order, labels and annotations where the action checks them (at the annotation levels its
/// json and bake-file rows ask for), and its json output.
@Suite("docker/metadata-action's own test cases")
struct MetadataActionCompatibilityTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metadata-action")

    struct Table: Decodable {
        let clock: String
        let repository: String
        let rawStatement: [RawStatement]
        let cases: [Case]
    }

    struct RawStatement: Decodable, Sendable, CustomTestStringConvertible {
        let pattern: String
        let expected: Bool
        var testDescription: String { "\(pattern) → \(expected)" }
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        struct Inputs: Decodable, Sendable {
            var images: [String]?
            var tags: [String]?
            var flavor: [String]?
            var labels: [String]?
            var annotations: [String]?
            var sepTags: String?
        }
        struct Version: Decodable, Sendable {
            var main: String?
            var partial: [String]
            var latest: Bool
        }
        enum ExpectedVersion: Decodable, Sendable {
            case full(Version)
            case main(String?)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let version = try? container.decode(Version.self) {
                    self = .full(version)
                } else {
                    self = .main(try container.decode(String?.self))
                }
            }
        }
        struct Expected: Decodable, Sendable {
            var version: ExpectedVersion?
            var tags: [String]?
            var tagNames: [String]?
            var joinedTags: String?
            var labels: [String]?
            var annotations: [String]?
            /// The json and bakeFile rows: the levels the row asks for and the annotations at them.
            var levels: [String]?
            var levelledAnnotations: [String]?
            /// The json rows: the whole `json` output.
            var json: MetadataActionOutputs.Document?
        }
        let name: String
        let group: String
        let context: [String: String]
        let inputs: Inputs
        let expected: Expected
        var testDescription: String { "\(group) \(name)" }
    }

    static let table: Table = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
            return try JSONDecoder().decode(Table.self, from: data)
        } catch {
            fatalError("Fixtures/metadata-action/cases.json: \(error)")
        }
    }()

    /// The mocked GitHub API answer: the repository's facts for labels and its default branch.
    static let repository: (facts: MetadataActionLabels.Repository, defaultBranch: String) = {
        let data = (try? Data(contentsOf: directory.appendingPathComponent(table.repository))) ?? Data()
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let facts = MetadataActionLabels.Repository(
            name: object["name"] as? String, description: object["description"] as? String,
            htmlURL: object["html_url"] as? String,
            license: (object["license"] as? [String: Any])?["spdx_id"] as? String)
        return (facts, object["default_branch"] as? String ?? "")
    }()

    @Test("every case of the action's test file is here, each with a name")
    func complete() {
        #expect(Self.table.cases.count == 131)
        #expect(Self.table.rawStatement.count == 5)
        #expect(Set(Self.table.cases.map { "\($0.group) \($0.name)" }).count == Self.table.cases.count)
    }

    @Test("a pattern is a raw statement only when it is exactly {{raw}}", arguments: table.rawStatement)
    func rawStatement(_ row: RawStatement) {
        #expect(TemplateRenderer.isSingleExpression(row.pattern, named: "raw") == row.expected)
    }

    @Test("the action's case gives the same version, tags, labels, annotations and json", arguments: table.cases)
    func actionCase(_ c: Case) throws {
        try run(c, exact: false)
    }

    @Test("with --metadata-action-exact too", arguments: table.cases)
    func exactCase(_ c: Case) throws {
        try run(c, exact: true)
    }

    func run(_ c: Case, exact: Bool) throws {
        let clock = try #require(RFC3339.seconds(Self.table.clock))
        var payload: GitHubEventPayload?
        if let path = c.context["GITHUB_EVENT_PATH"] {
            let data = try Data(contentsOf: Self.directory.appendingPathComponent(path))
            payload = try #require(GitHubEventPayload(json: data), "\(path) is not a JSON object")
        }
        var context = try MetadataActionContext.gitHub(
            environment: c.context, payload: payload, defaultBranch: Self.repository.defaultBranch, now: clock,
            commitTime: clock)
        // The action's tests replace the clock library, so every commit date reads the same instant too.
        context.commitTime = clock
        let rules = try (c.inputs.tags ?? []).map { try MetadataTagRule(parsing: $0) }
        let tagger = MetadataActionTagger(
            rules: rules, flavor: try MetadataFlavor(parsing: c.inputs.flavor ?? []), context: context, exact: exact)
        let version = try tagger.version()
        switch c.expected.version {
        case .full(let expected):
            #expect(version.main == expected.main, "main")
            #expect(version.partial == expected.partial, "partial")
            #expect(version.latest == expected.latest, "latest")
        case .main(let expected):
            #expect(version.main == expected, "version")
        case nil:
            break
        }
        let images = try MetadataImage.references(c.inputs.images ?? [])
        let tags = try tagger.tags(images: images)
        if let expected = c.expected.tags { #expect(tags == expected) }
        if let expected = c.expected.tagNames { #expect(try tagger.tagNames() == expected) }
        if let expected = c.expected.joinedTags, let separator = c.inputs.sepTags {
            #expect(tags.joined(separator: separator) == expected)
        }
        if let expected = c.expected.labels {
            let labels = try MetadataActionLabels.labels(
                repository: Self.repository.facts, version: version.main, tagger: tagger, extra: c.inputs.labels ?? [])
            #expect(labels == expected, "labels")
        }
        // The action's label-and-tag rows expect the annotations to equal the labels unless the row says
        // otherwise (its test function compares them with the labels then).
        let labelRows = ["null", "push", "tag", "latest", "pr", "pr-head-sha", "schedule", "release", "raw"]
        let annotations = try MetadataActionLabels.labels(
            repository: Self.repository.facts, version: version.main, tagger: tagger, extra: c.inputs.annotations ?? [])
        if let expected = c.expected.annotations ?? (labelRows.contains(c.group) ? c.expected.labels : nil) {
            #expect(annotations == expected, "annotations")
        }
        if let levels = c.expected.levels, let expected = c.expected.levelledAnnotations {
            #expect(MetadataActionAnnotations.levelled(annotations, levels: levels) == expected, "annotations at \(levels)")
        }
        if let expected = c.expected.json {
            // The json output from the same pieces: tags, tag names, labels (an object), annotations at levels.
            let labels = try MetadataActionLabels.labels(
                repository: Self.repository.facts, version: version.main, tagger: tagger, extra: c.inputs.labels ?? [])
            let planned = try tagger.tagNames(for: version).map { name in
                PlannedTag(tag: try #require(ImageTag(name)), mobility: .fixed, source: "metadata-action")
            }
            let outputs = MetadataActionOutputs(
                version: version, tags: TagPlan(images: images, tags: planned, version: version.main ?? ""),
                metadata: BuildMetadata(
                    version: version.main ?? "", revision: context.sha, created: 0, refName: nil, project: ProjectInfo(),
                    ldflags: LdflagsPolicy()
                ).replacingLabels(labels.compactMap(MetadataActionLabels.pair)),
                annotations: MetadataActionAnnotations.levelled(annotations, levels: c.expected.levels ?? ["manifest"]),
                levels: c.expected.levels ?? ["manifest"], revision: context.sha)
            #expect(outputs.json == expected, "json")
        }
    }
}
