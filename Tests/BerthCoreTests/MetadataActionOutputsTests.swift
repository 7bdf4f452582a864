import BerthCore
import Foundation
import Testing

/// docker/metadata-action's labels:/annotations: inputs and its annotation levels, as berth's planner gives
/// them before any checkout: the GitHub context alone.
@Suite("docker/metadata-action labels, annotations and levels")
struct MetadataActionOutputsTests {
    static let sha = "860c1904a1ce19322e91ac35af1ab07466440c37"
    /// 2020-01-10T00:30:00Z.
    static let now = 1_578_616_200.0
    static let payload = """
        {"head_commit": {"id": "\(sha)", "timestamp": "2020-01-09T10:00:00Z"},
         "repository": {"name": "Hello-World", "description": "This your first repo!",
          "html_url": "https://github.com/octocat/Hello-World", "license": {"spdx_id": "MIT"}, "default_branch": "master"}}
        """

    struct LevelCase: Sendable, CustomTestStringConvertible {
        let variable: String?
        let levels: [String]
        var testDescription: String { "\(variable.map { "'\($0)'" } ?? "unset") → \(levels)" }
    }

    @Test(
        "DOCKER_METADATA_ANNOTATIONS_LEVELS: manifest by default, split at commas and kept as written",
        arguments: [
            LevelCase(variable: nil, levels: ["manifest"]),
            LevelCase(variable: "", levels: ["manifest"]),
            LevelCase(variable: "index", levels: ["index"]),
            LevelCase(variable: "manifest,index", levels: ["manifest", "index"]),
            LevelCase(variable: "index,manifest-descriptor", levels: ["index", "manifest-descriptor"]),
            LevelCase(variable: "manifest[linux/amd64],index", levels: ["manifest[linux/amd64]", "index"]),
            LevelCase(variable: "manifest, index", levels: ["manifest", " index"]),
        ])
    func levels(_ c: LevelCase) {
        let environment = c.variable.map { [MetadataActionAnnotations.levelsVariable: $0] } ?? [:]
        #expect(MetadataActionAnnotations.levels(environment: environment) == c.levels)
    }

    @Test("annotations are written level by level, every annotation at the first level before the next")
    func levelled() {
        #expect(
            MetadataActionAnnotations.levelled(["a=1", "b=2"], levels: ["manifest", "index"])
                == ["manifest:a=1", "manifest:b=2", "index:a=1", "index:b=2"])
        #expect(MetadataActionAnnotations.levelled([], levels: ["manifest"]).isEmpty)
    }

    static func request(
        ref: String = "refs/tags/v1.2.3", labels: [String] = [], annotations: [String] = [], extra: [String: String] = [:],
        payload: String = payload, configure: (inout BerthConfiguration) -> Void = { _ in }
    ) -> PlanRequest {
        var environment = [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": ref, "GITHUB_SHA": sha,
            "GITHUB_REPOSITORY": "octocat/Hello-World", "GITHUB_SERVER_URL": "https://github.com",
        ]
        environment.merge(extra) { $1 }
        var config = BerthConfiguration()
        config.images = ["ghcr.io/octocat/hello"]
        config.metadataTags = ["type=semver,pattern={{version}}", "type=sha"]
        config.metadataLabels = labels
        config.metadataAnnotations = annotations
        configure(&config)
        let ci = CIContext.detect(environment: environment, eventPayload: Data(payload.utf8))
        return PlanRequest(configuration: config, ci: ci, environment: environment, now: now)
    }

    @Test(
        "labels: lines are rendered with the global expressions and replace the action's own by key; annotations: likewise, apart"
    )
    func linesOverride() throws {
        let outputs = try MetadataActionPlanner.outputs(
            Self.request(
                labels: [
                    "maintainer=CrazyMax\norg.opencontainers.image.title=MyApp {{tag}}", "invalid", "empty=",
                    "org.opencontainers.image.vendor=ACME=Corp",
                ],
                annotations: ["org.opencontainers.image.description=from {{sha}} on {{date 'YYYYMMDD'}}"],
                extra: [MetadataActionAnnotations.levelsVariable: "manifest,index"]),
            checkout: nil, remoteURL: nil)
        #expect(
            outputs.labels == [
                "empty=",
                "maintainer=CrazyMax",
                "org.opencontainers.image.created=2020-01-09T10:00:00Z",
                "org.opencontainers.image.description=This your first repo!",
                "org.opencontainers.image.licenses=MIT",
                "org.opencontainers.image.revision=\(Self.sha)",
                "org.opencontainers.image.source=https://github.com/octocat/Hello-World",
                "org.opencontainers.image.title=MyApp v1.2.3",
                "org.opencontainers.image.url=https://github.com/octocat/Hello-World",
                "org.opencontainers.image.vendor=ACME=Corp",
                "org.opencontainers.image.version=1.2.3",
            ])
        let annotations = [
            "org.opencontainers.image.created=2020-01-09T10:00:00Z",
            "org.opencontainers.image.description=from 860c190 on 20200110",
            "org.opencontainers.image.licenses=MIT",
            "org.opencontainers.image.revision=\(Self.sha)",
            "org.opencontainers.image.source=https://github.com/octocat/Hello-World",
            "org.opencontainers.image.title=Hello-World",
            "org.opencontainers.image.url=https://github.com/octocat/Hello-World",
            "org.opencontainers.image.version=1.2.3",
        ]
        #expect(outputs.annotations == annotations.map { "manifest:" + $0 } + annotations.map { "index:" + $0 })
        #expect(outputs.levels == ["manifest", "index"])
        #expect(outputs.tagNames == ["1.2.3", "sha-860c190", "latest"])
        #expect(outputs.json.labels["org.opencontainers.image.vendor"] == "ACME=Corp")
        #expect(outputs.json.tags.first == "ghcr.io/octocat/hello:1.2.3")
        // Build args and -ldflags name the action's version and commit.
        #expect(outputs.metadata.buildArgs.map(\.value) == ["2020-01-09T10:00:00Z", Self.sha, "1.2.3"])
    }

    struct CreatedCase: Sendable, CustomTestStringConvertible {
        let name: String
        let environment: [String: String]
        let payload: String
        let fromClock: Bool
        let created: String
        var testDescription: String { name }
    }

    @Test(
        "created: SOURCE_DATE_EPOCH, else the payload's commit time, else the clock; --created-now takes the clock",
        arguments: [
            CreatedCase(
                name: "SOURCE_DATE_EPOCH", environment: ["SOURCE_DATE_EPOCH": "1700000000"], payload: payload, fromClock: false,
                created: "2023-11-14T22:13:20Z"),
            CreatedCase(
                name: "the payload's commit", environment: [:], payload: payload, fromClock: false,
                created: "2020-01-09T10:00:00Z"),
            CreatedCase(
                name: "a payload without the commit", environment: [:], payload: "{}", fromClock: false,
                created: "2020-01-10T00:30:00Z"),
            CreatedCase(
                name: "--created-now", environment: [:], payload: payload, fromClock: true, created: "2020-01-10T00:30:00Z"),
        ])
    func created(_ c: CreatedCase) throws {
        var request = Self.request(extra: c.environment, payload: c.payload)
        request.createdFromClock = c.fromClock
        let outputs = try MetadataActionPlanner.outputs(request, checkout: nil, remoteURL: nil)
        #expect(outputs.metadata.created == c.created)
        #expect(outputs.labels.contains("org.opencontainers.image.created=\(c.created)"))
    }

    @Test("berth.yaml's labels fill the action's repository facts before the payload's")
    func configuredFacts() throws {
        let outputs = try MetadataActionPlanner.outputs(
            Self.request {
                $0.project.title = "API"; $0.project.licenses = "Apache-2.0"
            }, checkout: nil, remoteURL: nil)
        #expect(outputs.labels.contains("org.opencontainers.image.title=API"))
        #expect(outputs.labels.contains("org.opencontainers.image.licenses=Apache-2.0"))
        #expect(outputs.labels.contains("org.opencontainers.image.description=This your first repo!"))
    }

    @Test("without a payload the action's keys stay, empty, as the action writes them")
    func emptyFacts() throws {
        let outputs = try MetadataActionPlanner.outputs(
            Self.request(payload: "{}") { $0.metadataTags = ["type=ref,event=tag"] }, checkout: nil, remoteURL: nil)
        #expect(outputs.labels.contains("org.opencontainers.image.title="))
        #expect(outputs.labels.contains("org.opencontainers.image.source=https://github.com/octocat/Hello-World"))
        #expect(outputs.labels.contains("org.opencontainers.image.version=v1.2.3"))
    }

    @Test("a label line with {{commit_date}} and no commit time fails with one line, as a tag rule does")
    func commitDateWithoutCommit() throws {
        let request = Self.request(labels: ["built={{commit_date 'YYYYMMDD'}}"], payload: "{}")
        let error = try #require(throws: BerthError.self) {
            try MetadataActionPlanner.outputs(request, checkout: nil, remoteURL: nil)
        }
        #expect(error.message.contains("{{commit_date}} needs the commit's time"), "\(error.message)")
        #expect(!error.message.contains("\n"))
    }
}
