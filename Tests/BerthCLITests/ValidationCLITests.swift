import BerthTestSupport
import Foundation
import Testing

/// Inputs the built binary used to take as they came: `--now`, SOURCE_DATE_EPOCH, `diff` backwards,
/// and berth.yaml values that can't mean anything.
@Suite("refused inputs, through the built binary")
struct ValidationCLITests {
    @Test(
        "--now that is not a real time from 1970 to 9999 exits 64",
        arguments: ["nan", "inf", "-1e400", "1e20", "-1", "0x10", "2024-02-30T00:00:00Z", "1969-12-31T23:59:59Z", "yesterday"])
    func badNow(value: String) throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run(
            ["labels", "-q", "--created-now", "--now=\(value)"], in: repo.path, environment: repo.environment)
        #expect(result.status == 64, "\(value): \(result.stdout) \(result.stderr)")
        #expect(result.stderr.hasPrefix("berth: error: --now '\(value)'"), "\(result.stderr)")
    }

    @Test(
        "--now as seconds or RFC 3339 still sets the clock",
        arguments: [
            ("1893553445", "2030-01-02T03:04:05Z"), ("2030-01-02T03:04:05Z", "2030-01-02T03:04:05Z"),
            ("2030-01-02T04:04:05+01:00", "2030-01-02T03:04:05Z"), ("0", "1970-01-01T00:00:00Z"),
        ])
    func goodNow(value: String, created: String) throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run(
            ["labels", "-q", "--created-now", "--now=\(value)"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("org.opencontainers.image.created=\(created)\n"), "\(result.stdout)")
    }

    @Test(
        "a malformed SOURCE_DATE_EPOCH exits 65 naming the variable and the value",
        arguments: ["abc", "-1", "1.5", "", "1e9", "99999999999999"])
    func badSourceDateEpoch(value: String) throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        var env = repo.environment
        env["SOURCE_DATE_EPOCH"] = value
        for command in [["labels", "-q"], ["plan", "--offline", "--format", "env"]] {
            let result = try cli.run(command, in: repo.path, environment: env)
            #expect(result.status == 65, "\(command) with '\(value)': \(result.stdout) \(result.stderr)")
            #expect(result.stderr.hasPrefix("berth: error: SOURCE_DATE_EPOCH '\(value)' is not a time"), "\(result.stderr)")
        }
    }

    /// A repository with releases 1.1.0 and 1.2.0 and one fix between them.
    static func releases() throws -> GitRepoBuilder {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.1.0", annotated: true)
        try repo.commit("fix: the second")
        try repo.tag("v1.2.0", annotated: true)
        return repo
    }

    @Test("diff with the newer version first exits 64 and says which comes first")
    func diffReversed() throws {
        let cli = try CLIHarness()
        let repo = try Self.releases()
        let reversed = try cli.run(["diff", "1.2.0", "1.1.0"], in: repo.path, environment: repo.environment)
        #expect(reversed.status == 64, "\(reversed.stdout) \(reversed.stderr)")
        #expect(reversed.stdout.isEmpty)
        #expect(
            reversed.stderr.contains("'1.2.0' is newer than '1.1.0': give the older version first, berth diff 1.1.0 1.2.0"),
            "\(reversed.stderr)")
        let ordered = try cli.run(["diff", "1.1.0", "1.2.0"], in: repo.path, environment: repo.environment)
        #expect(ordered.status == 0, "\(ordered.stderr)")
        #expect(ordered.stdout.contains("### Fixes") && ordered.stdout.contains("- the second ("), "\(ordered.stdout)")
    }

    @Test(
        "diff with an argument that isn't SemVer exits 65",
        arguments: [["v1.1.0", "1.2.0"], ["1.1.0", "latest"], ["1.1", "1.2.0"]])
    func diffNotSemVer(arguments: [String]) throws {
        let cli = try CLIHarness()
        let repo = try Self.releases()
        let result = try cli.run(["diff"] + arguments, in: repo.path, environment: repo.environment)
        #expect(result.status == 65 && result.stderr.contains("is not a SemVer version"), "\(arguments): \(result.stderr)")
    }

    @Test(
        "berth.yaml values that can't mean anything exit 64 with file:line:column",
        arguments: [
            ("environments: []\n", "berth.yaml:1:15", "'environments' is an empty list"),
            ("environments:\n  - name: prod\n  - name: prod\n", "berth.yaml:3:11", "environment 'prod' is defined twice"),
            ("version:\n  path: ../other\n", "berth.yaml:2:9", "leads out of the repository"),
            ("version:\n  path: /srv/other\n", "berth.yaml:2:9", "is an absolute path"),
            (
                "gates:\n  ignore:\n    - {id: CVE-1, until: 2024-02-30, reason: r}\n", "berth.yaml:3:26",
                "'gates.ignore[0].until' is '2024-02-30', not a date"
            ),
            ("labels:\n  description: \"one\\nforged=1\"\n", "berth.yaml:2:16", "label 'labels.description'"),
        ])
    func badConfig(yaml: String, position: String, fragment: String) throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.write("berth.yaml", yaml)
        let result = try cli.run(["plan", "--offline", "--format", "github"], in: repo.path, environment: repo.environment)
        #expect(result.status == 64, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("\(position): ") && result.stderr.contains(fragment), "\(result.stderr)")
        #expect(!result.stdout.contains("forged=1"))
    }

    @Test("--path outside the repository exits 64", arguments: ["../other", "/srv/other", "a/../../b"])
    func pathOption(path: String) throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run(["version", "--path", path], in: repo.path, environment: repo.environment)
        #expect(result.status == 64 && result.stderr.contains("berth: error: --path '\(path)'"), "\(result.stderr)")
    }

    @Test("a label from the CI holding a line break can't split --format github's lines: exit 65")
    func ciLabelLineBreak() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        var env = repo.environment
        env["GITHUB_ACTIONS"] = "true"
        env["GITHUB_SERVER_URL"] = "https://github.com"
        env["GITHUB_REPOSITORY"] = "acme/api\norg.opencontainers.image.vendor=forged"
        let result = try cli.run(["plan", "--offline", "--format", "github"], in: repo.path, environment: env)
        #expect(result.status == 65, "\(result.stdout) \(result.stderr)")
        #expect(
            result.stderr.contains("label 'org.opencontainers.image.source' holds the control character U+000A"),
            "\(result.stderr)")
        #expect(!result.stdout.contains("vendor=forged"))
    }
}
