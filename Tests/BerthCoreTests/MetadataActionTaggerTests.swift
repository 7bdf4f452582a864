import BerthCore
import Testing

/// docker/metadata-action's documented behaviour (its README tables and tested scenarios), restated as
/// berth's own cases: the same context and inputs must give the same tags, in the same order, and the
/// same `version` output.
@Suite("docker/metadata-action compatibility")
struct MetadataActionTaggerTests {
    static let sha = "860c1904a1ce19322e91ac35af1ab07466440c37"
    /// 2020-01-10T00:30:00Z.
    static let now = 1_578_616_200.0

    struct Case: Sendable, CustomTestStringConvertible {
        var event = "push"
        var ref: String
        var tags: [String]
        var flavor: [String] = []
        var images: [String] = []
        var defaultBranch = "master"
        var expectedVersion: String?
        var expectedTags: [String]
        var testDescription: String { "\(ref) \(tags.joined(separator: " | ")) \(flavor.joined(separator: " | "))" }
    }

    static func tagger(_ c: Case) throws -> MetadataActionTagger {
        let rules = try c.tags.map { try MetadataTagRule(parsing: $0) }
        let context = MetadataActionContext(
            eventName: c.event, ref: c.ref, sha: sha, defaultBranch: c.defaultBranch, now: now, commitTime: now - 3600)
        return MetadataActionTagger(rules: rules, flavor: try MetadataFlavor(parsing: c.flavor), context: context)
    }

    // One rule per row: the README's "tags input" tables.
    static let single: [Case] = [
        Case(
            event: "schedule", ref: "refs/heads/master", tags: ["type=schedule"], expectedVersion: "nightly",
            expectedTags: ["nightly"]),
        Case(
            event: "schedule", ref: "refs/heads/master", tags: ["type=schedule,pattern={{date 'YYYYMMDD'}}"],
            expectedVersion: "20200110", expectedTags: ["20200110"]),
        Case(
            event: "schedule", ref: "refs/heads/master",
            tags: ["type=schedule,pattern={{date 'YYYYMMDD-hhmmss' tz='Asia/Tokyo'}}"],
            expectedVersion: "20200110-093000", expectedTags: ["20200110-093000"]),
        Case(event: "push", ref: "refs/heads/master", tags: ["type=schedule"], expectedVersion: nil, expectedTags: []),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{raw}}"], expectedVersion: "v1.2.3",
            expectedTags: ["v1.2.3", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}}"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{major}}.{{minor}}"], expectedVersion: "1.2",
            expectedTags: ["1.2", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern=v{{major}}"], expectedVersion: "v1",
            expectedTags: ["v1", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{minor}}"], expectedVersion: "2", expectedTags: ["2", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{patch}}"], expectedVersion: "3", expectedTags: ["3", "latest"]),
        Case(
            ref: "refs/tags/v2.0.8-beta.67", tags: ["type=semver,pattern={{major}}.{{minor}}.{{patch}}"],
            expectedVersion: "2.0.8-beta.67",
            expectedTags: ["2.0.8-beta.67"]),
        Case(
            ref: "refs/tags/v2.0.8-beta.67", tags: ["type=semver,pattern={{raw}}"], expectedVersion: "v2.0.8-beta.67",
            expectedTags: ["v2.0.8-beta.67"]),
        Case(
            ref: "refs/tags/v1.2.3+build.5", tags: ["type=semver,pattern={{raw}}"], expectedVersion: "v1.2.3-build.5",
            expectedTags: ["v1.2.3-build.5", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3+build.5", tags: ["type=semver,pattern={{version}}"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(ref: "refs/tags/release1", tags: ["type=semver,pattern={{version}}"], expectedVersion: nil, expectedTags: []),
        Case(ref: "refs/heads/master", tags: ["type=semver,pattern={{version}}"], expectedVersion: nil, expectedTags: []),
        Case(
            ref: "refs/heads/master", tags: ["type=semver,pattern={{version}},value=v1.0.0"], expectedVersion: "1.0.0",
            expectedTags: ["1.0.0", "latest"]),
        Case(
            ref: "refs/tags/app/v1.2.3", tags: ["type=semver,pattern={{version}},match=app-v(.*)"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(
            ref: "refs/tags/1.1.1", tags: ["type=pep440,pattern={{raw}}"], expectedVersion: "1.1.1",
            expectedTags: ["1.1.1", "latest"]),
        Case(
            ref: "refs/tags/v1.1.1", tags: ["type=pep440,pattern={{version}}"], expectedVersion: "1.1.1",
            expectedTags: ["1.1.1", "latest"]),
        Case(
            ref: "refs/tags/1.2.3rc1", tags: ["type=pep440,pattern={{version}}"], expectedVersion: "1.2.3rc1",
            expectedTags: ["1.2.3rc1"]),
        Case(
            ref: "refs/tags/1.2.3rc1", tags: ["type=pep440,pattern={{major}}.{{minor}}"], expectedVersion: "1.2.3rc1",
            expectedTags: ["1.2.3rc1"]),
        Case(
            ref: "refs/tags/1.2.3", tags: ["type=pep440,pattern={{major}}.{{minor}}"], expectedVersion: "1.2",
            expectedTags: ["1.2", "latest"]),
        Case(
            ref: "refs/tags/1.0.dev4", tags: ["type=pep440,pattern={{version}}"], expectedVersion: "1.0.dev4",
            expectedTags: ["1.0.dev4"]),
        Case(
            ref: "refs/tags/1.2.3.post1", tags: ["type=pep440,pattern={{major}}.{{minor}}"], expectedVersion: "1.2",
            expectedTags: ["1.2", "latest"]),
        Case(
            ref: "refs/tags/1.2.3.post1", tags: ["type=pep440,pattern={{version}}"], expectedVersion: "1.2.3.post1",
            expectedTags: ["1.2.3.post1", "latest"]),
        Case(
            ref: "refs/tags/1.2.3-RC.1", tags: ["type=pep440,pattern={{version}}"], expectedVersion: "1.2.3rc1",
            expectedTags: ["1.2.3rc1"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: [#"type=match,pattern=\d.\d.\d"#], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(
            ref: "refs/tags/v2.0.8-beta.67", tags: [#"type=match,pattern=\d.\d"#], expectedVersion: "2.0",
            expectedTags: ["2.0", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=match,pattern=v(.*),group=1"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=match,pattern=/V(.*)/i,group=1"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(ref: "refs/tags/release", tags: [#"type=match,pattern=\d"#], expectedVersion: nil, expectedTags: []),
        Case(ref: "refs/heads/master", tags: ["type=edge"], expectedVersion: "edge", expectedTags: ["edge"]),
        Case(ref: "refs/heads/dev", tags: ["type=edge"], expectedVersion: nil, expectedTags: []),
        Case(ref: "refs/heads/develop", tags: ["type=edge,branch=develop"], expectedVersion: "edge", expectedTags: ["edge"]),
        Case(ref: "refs/heads/master", tags: ["type=ref,event=branch"], expectedVersion: "master", expectedTags: ["master"]),
        Case(
            ref: "refs/heads/feature/login", tags: ["type=ref,event=branch"], expectedVersion: "feature-login",
            expectedTags: ["feature-login"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=ref,event=tag"], expectedVersion: "v1.2.3", expectedTags: ["v1.2.3", "latest"]),
        Case(ref: "refs/tags/v1.2.3", tags: ["type=ref,event=branch"], expectedVersion: nil, expectedTags: []),
        Case(
            event: "pull_request", ref: "refs/pull/2/merge", tags: ["type=ref,event=pr"], expectedVersion: "pr-2",
            expectedTags: ["pr-2"]),
        Case(
            event: "pull_request", ref: "refs/pull/2/merge", tags: ["type=ref,event=pr,prefix=mr-"], expectedVersion: "mr-2",
            expectedTags: ["mr-2"]),
        Case(ref: "refs/heads/master", tags: ["type=raw,value=foo"], expectedVersion: "foo", expectedTags: ["foo"]),
        Case(ref: "refs/heads/master", tags: ["bar"], expectedVersion: "bar", expectedTags: ["bar"]),
        Case(
            ref: "refs/heads/master", tags: ["type=raw,value={{branch}}-{{sha}}"], expectedVersion: "master-860c190",
            expectedTags: ["master-860c190"]),
        Case(
            ref: "refs/heads/master", tags: ["type=raw,value=latest,enable={{is_default_branch}}"], expectedVersion: "latest",
            expectedTags: ["latest"]),
        Case(
            ref: "refs/heads/develop", tags: ["type=raw,value=latest,enable={{is_default_branch}}"], expectedVersion: nil,
            expectedTags: []),
        Case(
            ref: "refs/heads/master", tags: ["type=raw,value=gh-{{date 'YYYY-MM-DD'}}"], expectedVersion: "gh-2020-01-10",
            expectedTags: ["gh-2020-01-10"]),
        Case(ref: "refs/heads/master", tags: ["type=sha"], expectedVersion: "sha-860c190", expectedTags: ["sha-860c190"]),
        Case(
            ref: "refs/heads/master", tags: ["type=sha,format=long"], expectedVersion: "sha-\(sha)", expectedTags: ["sha-\(sha)"]),
        Case(ref: "refs/heads/master", tags: ["type=sha,prefix="], expectedVersion: "860c190", expectedTags: ["860c190"]),
        Case(ref: "refs/heads/master", tags: ["type=sha,enable=false"], expectedVersion: nil, expectedTags: []),
    ]

    @Test("each rule type as the README documents it", arguments: single)
    func singleRules(_ c: Case) throws {
        let tagger = try Self.tagger(c)
        #expect(try tagger.version().main == c.expectedVersion)
        #expect(try tagger.tags(images: c.images) == c.expectedTags)
    }

    static let semverSet = [
        "type=semver,pattern={{version}}", "type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}",
        "type=ref,event=branch", "type=sha",
    ]

    // Whole configurations: priorities, partial tags, latest, flavor, images.
    static let scenarios: [Case] = [
        Case(
            ref: "refs/heads/master", tags: [], images: ["user/app"], expectedVersion: "master", expectedTags: ["user/app:master"]
        ),
        Case(
            ref: "refs/tags/v1.1.1", tags: [], images: ["user/app"], expectedVersion: "v1.1.1",
            expectedTags: ["user/app:v1.1.1", "user/app:latest"]),
        Case(
            event: "pull_request", ref: "refs/pull/15/merge", tags: [], images: ["user/app"], expectedVersion: "pr-15",
            expectedTags: ["user/app:pr-15"]),
        Case(
            event: "schedule", ref: "refs/heads/master", tags: [], images: ["user/app"], expectedVersion: "nightly",
            expectedTags: ["user/app:nightly", "user/app:master"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: semverSet, images: ["user/app"], expectedVersion: "1.2.3",
            expectedTags: ["user/app:1.2.3", "user/app:1.2", "user/app:1", "user/app:sha-860c190", "user/app:latest"]),
        Case(
            ref: "refs/heads/master", tags: semverSet, images: ["user/app"], expectedVersion: "master",
            expectedTags: ["user/app:master", "user/app:sha-860c190"]),
        Case(
            ref: "refs/tags/v2.0.8-beta.67", tags: semverSet, images: ["user/app"], expectedVersion: "2.0.8-beta.67",
            expectedTags: ["user/app:2.0.8-beta.67", "user/app:sha-860c190"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: semverSet, flavor: ["prefix=foo-", "suffix=-bar"], expectedVersion: "foo-1.2.3-bar",
            expectedTags: ["foo-1.2.3-bar", "foo-1.2-bar", "foo-1-bar", "sha-860c190-bar", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}}"],
            flavor: ["prefix=foo-,onlatest=true", "suffix=-bar,onlatest=true"],
            expectedVersion: "foo-1.2.3-bar", expectedTags: ["foo-1.2.3-bar", "foo-latest-bar"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: semverSet, flavor: ["latest=false"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "1.2", "1", "sha-860c190"]),
        Case(
            ref: "refs/heads/master", tags: ["type=ref,event=branch"], flavor: ["latest=true"], expectedVersion: "master",
            expectedTags: ["master", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}}", "type=raw,value=mytag,priority=2000"],
            expectedVersion: "mytag",
            expectedTags: ["mytag", "1.2.3", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=sha", "type=ref,event=tag", "type=raw,value=foo"], expectedVersion: "v1.2.3",
            expectedTags: ["v1.2.3", "foo", "sha-860c190", "latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}}"], images: ["name/app", "ghcr.io/name/app"],
            expectedVersion: "1.2.3",
            expectedTags: ["name/app:1.2.3", "name/app:latest", "ghcr.io/name/app:1.2.3", "ghcr.io/name/app:latest"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}}", "type=raw,value=latest"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        Case(
            ref: "refs/heads/master", tags: ["type=edge", "type=ref,event=branch", "type=raw,value={{is_default_branch}}"],
            expectedVersion: "edge",
            expectedTags: ["edge", "master", "true"]),
        Case(
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}},prefix=v,suffix=-slim", "type=ref,event=tag"],
            flavor: ["suffix=-x"], expectedVersion: "v1.2.3-slim", expectedTags: ["v1.2.3-slim", "v1.2.3-x", "latest"]),
    ]

    @Test("whole configurations: priority order, partials, latest, flavor, images", arguments: scenarios)
    func wholeConfigurations(_ c: Case) throws {
        let tagger = try Self.tagger(c)
        #expect(try tagger.version().main == c.expectedVersion)
        #expect(try tagger.tags(images: c.images) == c.expectedTags)
    }

    @Test(
        "bad rules are refused with the line named",
        arguments: [
            "type=semver", "type=unknown,value=x", "type=ref", "type=ref,event=push", "type=sha,format=medium",
            "type=match,pattern=x,group=a", "type=raw", "type=raw,value=x,priority=high",
        ])
    func badRules(line: String) {
        #expect {
            try MetadataTagRule(parsing: line)
        } throws: { error in
            (error as? BerthError)?.message.contains("'\(line)'") == true
        }
    }

    @Test("bad flavors are refused", arguments: ["latest=maybe", "colour=blue", "onlatest=yes", "prefix"])
    func badFlavors(line: String) {
        #expect(throws: BerthError.self) { try MetadataFlavor(parsing: [line]) }
    }

    @Test("enable must render to true or false")
    func enableValue() throws {
        let c = Case(ref: "refs/heads/master", tags: ["type=raw,value=x,enable=yes"], expectedTags: [])
        #expect(throws: BerthError.self) { try Self.tagger(c).version() }
    }

    @Test("a quoted field may hold commas")
    func quotedField() throws {
        let rule = try MetadataTagRule(parsing: #"type=raw,"value=a,b""#)
        #expect(rule.attributes["value"] == "a,b")
    }
}
