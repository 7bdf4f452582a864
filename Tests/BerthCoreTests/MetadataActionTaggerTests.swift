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
            ref: "refs/tags/app/v1.2.3", tags: ["type=semver,pattern={{version}},match=app/v(.*)"], expectedVersion: "1.2.3",
            expectedTags: ["1.2.3", "latest"]),
        // `match` reads the tag as pushed, `/` and all: `app-v` finds nothing, and `app-v1.2.3` is no version.
        Case(
            ref: "refs/tags/app/v1.2.3", tags: ["type=semver,pattern={{version}},match=app-v(.*)"], expectedVersion: nil,
            expectedTags: []),
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
            // A post-release is treated like a pre-release: its full version, and no `latest`.
            ref: "refs/tags/1.2.3.post1", tags: ["type=pep440,pattern={{major}}.{{minor}}"], expectedVersion: "1.2.3.post1",
            expectedTags: ["1.2.3.post1"]),
        Case(
            ref: "refs/tags/1.2.3.post1", tags: ["type=pep440,pattern={{version}}"], expectedVersion: "1.2.3.post1",
            expectedTags: ["1.2.3.post1"]),
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
            // The first rule with a value decides `latest=auto`: here a raw tag, which never makes `latest`.
            ref: "refs/tags/v1.2.3", tags: ["type=semver,pattern={{version}}", "type=raw,value=mytag,priority=2000"],
            expectedVersion: "mytag",
            expectedTags: ["mytag", "1.2.3"]),
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

    static func tags(_ rules: [String], ref: String, event: String = "push", exact: Bool = false) throws -> [String] {
        let context = MetadataActionContext(
            eventName: event, ref: ref, sha: sha, defaultBranch: "master", now: now, commitTime: now - 3600)
        let tagger = MetadataActionTagger(
            rules: try rules.map { try MetadataTagRule(parsing: $0) }, flavor: MetadataFlavor(), context: context, exact: exact)
        return try tagger.tags(images: [])
    }

    @Test("Moment formats: literal letters, [text], tokens matched in Moment's order, tz, the default format")
    func momentFormats() throws {
        // 2020-01-10T00:30:00Z, a Friday.
        #expect(
            try Self.tags(["type=raw,value={{date 'YYYY-MM-DDTHH-mm-ssZ'}}"], ref: "refs/heads/master") == [
                "2020-01-10T00-30-00-00-00"
            ])
        #expect(
            try Self.tags(["type=raw,value={{date 'YYYY-MM-DDTHH-mm-ss[Z]' tz='Asia/Tokyo'}}"], ref: "refs/heads/master")
                == ["2020-01-10T09-30-00Z"])
        #expect(
            try Self.tags(["type=raw,value={{date 'dddd-Do-MMM-[week]W'}}"], ref: "refs/heads/master") == [
                "Friday-10th-Jan-week2"
            ])
        // An unquoted format is a name Handlebars looks up and finds empty: Moment's default format.
        #expect(try Self.tags(["type=raw,value={{date YYYY}}"], ref: "refs/heads/master") == ["2020-01-10T00-30-00Z"])
        #expect(
            try Self.tags(["type=raw,value={{date YYYY tz='Asia/Tokyo'}}"], ref: "refs/heads/master") == [
                "2020-01-10T09-30-00-09-00"
            ])
        #expect(throws: BerthError.self) {
            try Self.tags(["type=raw,value={{date 'YYYY' zone='UTC'}}"], ref: "refs/heads/master")
        }
    }

    @Test("type=match: a pattern with / and a group, a group the pattern lacks gives nothing, the g flag")
    func matchRules() throws {
        #expect(try Self.tags(["type=match,pattern=p1/v(\\d.\\d),group=1"], ref: "refs/tags/p1/v1.2.3") == ["1.2", "latest"])
        #expect(try Self.tags(["type=match,pattern=p1/v(\\d.\\d),group=3"], ref: "refs/tags/p1/v1.2.3") == [])
        #expect(
            try Self.tags(["type=match,pattern=p1/v(\\d.\\d)", "type=sha"], ref: "refs/tags/p1/v1.2.3") == [
                "p1-v1.2", "sha-860c190", "latest",
            ])
        // With `g`, JavaScript's match lists whole matches: group 1 is the second match.
        #expect(try Self.tags(["type=match,pattern=/\\d/g,group=1"], ref: "refs/tags/v1.2.3") == ["2", "latest"])
        #expect(throws: BerthError.self) { try Self.tags(["type=match,pattern=/v/q"], ref: "refs/tags/v1.2.3") }
    }

    @Test("{{is_not_default_branch}} is the opposite of {{is_default_branch}}; both are false on a tag")
    func defaultBranchExpressions() throws {
        let rules = ["type=raw,value=main,enable={{is_default_branch}}", "type=raw,value=side,enable={{is_not_default_branch}}"]
        #expect(try Self.tags(rules, ref: "refs/heads/master") == ["main"])
        #expect(try Self.tags(rules, ref: "refs/heads/feature") == ["side"])
        #expect(try Self.tags(rules, ref: "refs/tags/v1.0.0") == ["side"])
        #expect(try Self.tags(rules, ref: "refs/heads/feature", event: "schedule") == ["main"])
    }

    @Test("branch and tag names that aren't OCI tags become valid tags; --metadata-action-exact keeps the action's")
    func ociRepairs() throws {
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/my/feature#1245") == ["my-feature-1245"])
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/-wip") == ["wip"])
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/.hidden") == ["hidden"])
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/#/x") == ["x"])
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/-wip", exact: true) == ["-wip"])
        let long = String(repeating: "a", count: 200)
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/\(long)") == [String(repeating: "a", count: 128)])
        #expect(try Self.tags(["type=ref,event=branch"], ref: "refs/heads/\(long)", exact: true) == [long])
        // A raw `latest` and the latest flavor are one tag; the action lists it twice.
        #expect(try Self.tags(["type=raw,value=latest", "type=raw,value=x"], ref: "refs/heads/master") == ["latest", "x"])
        let forced = ["type=ref,event=tag", "type=raw,value=latest"]
        #expect(try Self.tags(forced, ref: "refs/tags/v1") == ["v1", "latest"])
        #expect(try Self.tags(forced, ref: "refs/tags/v1", exact: true) == ["v1", "latest", "latest"])
    }

    @Test("input lines are read as the action's input reader does: a line quoted whole keeps its quoted commas")
    func inputLines() throws {
        #expect(
            MetadataInputList.lines("type=ref,event=branch\n\n# a comment\n  type=sha  \n") == [
                "type=ref,event=branch", "type=sha",
            ])
        #expect(MetadataInputList.lines(#"type=match,"pattern=\d{1,2}""#) == [#"type=match,pattern=\d{1,2}"#])
        #expect(MetadataInputList.lines(#""type=match,""pattern=\d{1,2}""""#) == [#"type=match,"pattern=\d{1,2}""#])
        #expect(
            MetadataInputList.lines(#"org.opencontainers.image.description=a "good" one"#) == [
                #"org.opencontainers.image.description=a "good" one"#
            ])
        let rule = try MetadataTagRule(parsing: MetadataInputList.lines(#""type=match,""pattern=\d{1,2}""""#)[0])
        #expect(rule["pattern"] == #"\d{1,2}"#)
    }

    @Test("images: lines: attributes, enable=false, the old comma list, capitals lower-cased")
    func imageLines() throws {
        #expect(try MetadataImage.references(["ghcr.io/MyUSER/MyApp"]) == ["ghcr.io/myuser/myapp"])
        #expect(try MetadataImage.references(["oci:/tmp/Layouts/API"]) == ["oci:/tmp/Layouts/API"])
        #expect(try MetadataImage.references(["org/app,ghcr.io/user/app"]) == ["org/app", "ghcr.io/user/app"])
        #expect(
            try MetadataImage.references(["name=org/app", "name=ghcr.io/user/app,enable=false", "docker.io/x/y"]) == [
                "org/app", "docker.io/x/y",
            ])
        #expect(throws: BerthError.self) { try MetadataImage.references(["name=org/app,enable=maybe"]) }
        #expect(throws: BerthError.self) { try MetadataImage.references(["name=org/app,colour=blue"]) }
        #expect(throws: BerthError.self) { try MetadataImage.references(["enable=true", "x"]) }
    }

    @Test("the GitHub context: pull_request_target builds on refs/pull/N/merge; the PR head; the payload's commit time")
    func gitHubContext() throws {
        var payload = GitHubEventPayload()
        payload.number = 15
        payload.pullRequestHeadSHA = "abc"
        payload.commitTimes = ["def": 1_700_000_000]
        let env = ["GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_REF": "refs/heads/master", "GITHUB_SHA": "def"]
        let context = try MetadataActionContext.gitHub(
            environment: env, payload: payload, defaultBranch: "main", now: Self.now, commitTime: nil)
        #expect(context.ref == "refs/pull/15/merge")
        #expect(context.sha == "def")
        #expect(context.commitTime == 1_700_000_000)
        let head = try MetadataActionContext.gitHub(
            environment: env.merging(["DOCKER_METADATA_PR_HEAD_SHA": "true"]) { $1 }, payload: payload, defaultBranch: "main",
            now: Self.now, commitTime: nil)
        #expect(head.sha == "abc")
        #expect(head.commitTime == nil)
        #expect(throws: BerthError.self) {
            try MetadataActionContext.gitHub(
                environment: ["DOCKER_METADATA_SHORT_SHA_LENGTH": "seven"], payload: nil, defaultBranch: "main", now: 0,
                commitTime: nil)
        }
    }
}
