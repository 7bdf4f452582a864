import BerthCore
import Foundation
import Testing

@Suite("labels, dates, PEP 440, CI detection")
struct SupportingValuesTests {
    @Test(
        "RFC 3339 from epoch seconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00Z"), (1_704_067_200, "2024-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"), (-1, "1969-12-31T23:59:59Z"),
        ])
    func rfc3339(seconds: Int64, expected: String) {
        #expect(RFC3339.utc(seconds: seconds) == expected)
    }

    @Test("the same commit gives byte-identical labels, build args and ldflags")
    func deterministicMetadata() {
        let project = ProjectInfo(title: "api", source: "git@github.com:acme/api.git", licenses: "MIT")
        let make = {
            BuildMetadata(
                version: "1.2.3", revision: "abc", created: 1_704_067_200, refName: "v1.2.3", project: project,
                ldflags: LdflagsPolicy(package: "github.com/acme/api/internal/version"))
        }
        #expect(make() == make())
        let metadata = make()
        #expect(
            metadata.ldflags
                == "-s -w -X github.com/acme/api/internal/version.Version=1.2.3 -X github.com/acme/api/internal/version.Commit=abc -X github.com/acme/api/internal/version.BuildDate=2024-01-01T00:00:00Z"
        )
        #expect(metadata.labels.map(\.key) == metadata.labels.map(\.key).sorted())
        #expect(metadata.labels.first { $0.key == "org.opencontainers.image.source" }?.value == "https://github.com/acme/api")
        #expect(metadata.buildArgs.map(\.key) == ["BUILD_DATE", "VCS_REF", "VERSION"])
    }

    @Test(
        "remote URLs lose credentials and become https",
        arguments: [
            ("https://x-access-token:ghs_secret@github.com/acme/api.git", "https://github.com/acme/api"),
            ("git@gitlab.com:group/sub/api.git", "https://gitlab.com/group/sub/api"),
            ("https://gitlab.com/group/api", "https://gitlab.com/group/api"),
            ("ssh://git@example.org/acme/api.git", "https://example.org/acme/api"),
        ])
    func remoteURL(input: String, expected: String) {
        #expect(RemoteURL.sanitized(input) == expected)
        #expect(!RemoteURL.sanitized(input).contains("secret"))
    }

    @Test(
        "Moment.js date tokens",
        arguments: [
            ("YYYYMMDD", "UTC", "20200110"), ("YYYY-MM-DD HH:mm:ss", "UTC", "2020-01-10 00:30:00"),
            ("YYYYMMDD-hhmmss", "Asia/Tokyo", "20200110-093000"), ("[week] d, DDD", "UTC", "week 5, 10"),
            ("YY.M.D H:m A", "America/New_York", "20.1.9 19:30 PM"),
        ])
    func dates(format: String, zone: String, expected: String) throws {
        #expect(try DateFormat.format(seconds: 1_578_616_200, format, timeZone: zone) == expected)
    }

    @Test("an unknown time zone is an error")
    func unknownZone() {
        #expect(throws: TemplateError.self) { try DateFormat.format(seconds: 0, "YYYY", timeZone: "Mars/Olympus") }
    }

    @Test(
        "PEP 440 normalisation",
        arguments: [
            ("1.0", "1.0", false), ("v1.2.3", "1.2.3", false), ("1.2.3-RC.1", "1.2.3rc1", true),
            ("1.2.3.alpha2", "1.2.3a2", true),
            ("1.0.dev4", "1.0.dev4", true), ("1.0-post1", "1.0.post1", false), ("1.0-1", "1.0.post1", false),
            ("1!2.0", "1!2.0", false),
            ("1.0+Local_Build", "1.0+local.build", false), ("01.02.03", "1.2.3", false),
        ])
    func pep440(input: String, normal: String, prerelease: Bool) throws {
        let version = try #require(PEP440Version(input))
        #expect(version.description == normal)
        #expect(version.isPrerelease == prerelease)
    }

    @Test("GitHub Actions: pull requests take the head branch; tags and the payload are read")
    func githubContext() throws {
        let payload = Data(
            #"{"repository":{"default_branch":"trunk"},"pull_request":{"number":7,"head":{"sha":"abc"},"base":{"ref":"trunk"}}}"#
                .utf8)
        let ci = CIContext.detect(
            environment: [
                "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/7/merge",
                "GITHUB_HEAD_REF": "feature/x",
                "GITHUB_SHA": "merge", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/api",
            ], eventPayload: payload)
        #expect(ci.provider == .github)
        #expect(ci.branch == "feature/x")
        #expect(ci.pullRequest == 7)
        #expect(ci.defaultBranch == "trunk")
        #expect(ci.pullRequestHeadSHA == "abc")
        #expect(ci.repositoryURL == "https://github.com/acme/api")
        let tag = CIContext.detect(environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/tags/v1.0.0",
        ])
        #expect(tag.tag == "v1.0.0" && tag.branch == nil)
    }

    @Test("GitLab CI: tag, branch and merge request pipelines")
    func gitlabContext() {
        let mr = CIContext.detect(environment: [
            "GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "12", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feat/y",
            "CI_DEFAULT_BRANCH": "main",
            "CI_COMMIT_SHA": "abc", "CI_PIPELINE_SOURCE": "merge_request_event",
        ])
        #expect(mr.provider == .gitlab && mr.branch == "feat/y" && mr.pullRequest == 12 && mr.defaultBranch == "main")
        let tag = CIContext.detect(environment: ["GITLAB_CI": "true", "CI_COMMIT_TAG": "v2.0.0", "CI_COMMIT_BRANCH": ""])
        #expect(tag.tag == "v2.0.0" && tag.ref == "refs/tags/v2.0.0")
        #expect(CIContext.detect(environment: [:]).provider == .local)
    }
}
