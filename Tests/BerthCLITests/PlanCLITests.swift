import BerthTestSupport
import Foundation
import Testing

@Suite("berth plan and friends, through the built binary")
struct PlanCLITests {
    @Test("plan --json matches its golden file and exits 0")
    func planJSON() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run(["plan", "--json"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        CLIHarness.expectGolden(result.stdout, "plan.json")
    }

    @Test("version --json explains the decision commit by commit")
    func versionJSON() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run(["version", "--json"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        CLIHarness.expectGolden(result.stdout, "version.json")
        #expect(try cli.run(["version", "-q"], in: repo.path, environment: repo.environment).stdout == "2.0.0\n")
    }

    @Test("tags --json and labels --json match their golden files", arguments: ["tags", "labels"])
    func subcommandJSON(command: String) throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run([command, "--json"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        CLIHarness.expectGolden(result.stdout, "\(command).json")
    }

    @Test("each --format matches its golden file", arguments: ["gitlab", "env", "docker-args"])
    func formats(format: String) throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let result = try cli.run(["plan", "--format", format], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        CLIHarness.expectGolden(result.stdout, "plan.\(format).txt")
    }

    @Test("--format github appends to $GITHUB_OUTPUT with heredocs for lists")
    func githubOutput() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let output = repo.path + "/../github_output"
        try Data("existing=1\n".utf8).write(to: URL(fileURLWithPath: output))
        var env = repo.environment
        env["GITHUB_OUTPUT"] = output
        let result = try cli.run(["plan", "--format", "github"], in: repo.path, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.hasPrefix("existing=1\n"))
        CLIHarness.expectGolden(written, "plan.github.txt")
    }

    @Test("tags and labels print one per line")
    func tagsAndLabels() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let tags = try cli.run(["tags"], in: repo.path, environment: repo.environment)
        #expect(tags.stdout.split(separator: "\n").first == "registry.example/acme/api:v2.0.0")
        #expect(tags.stdout.contains("registry.example/acme/api:latest"))
        let labels = try cli.run(["labels", "-q"], in: repo.path, environment: repo.environment)
        #expect(labels.stdout.contains("org.opencontainers.image.version=2.0.0\n"))
        #expect(labels.stdout.contains("org.opencontainers.image.created=2024-01-01T04:00:00Z\n"))
    }

    @Test("SOURCE_DATE_EPOCH sets created; --created-now is the only way to the clock")
    func createdTime() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        var env = repo.environment
        env["SOURCE_DATE_EPOCH"] = "1700000000"
        let labels = try cli.run(["labels", "-q"], in: repo.path, environment: env)
        #expect(labels.stdout.contains("org.opencontainers.image.created=2023-11-14T22:13:20Z\n"))
        let now = try cli.run(
            ["labels", "-q", "--created-now", "--now", "2030-01-02T03:04:05Z"], in: repo.path, environment: env)
        #expect(now.stdout.contains("org.opencontainers.image.created=2030-01-02T03:04:05Z\n"))
    }

    @Test("metadata-action lines and a GitHub context give the action's tags and version")
    func metadataAction() throws {
        let cli = try CLIHarness()
        let repo = try CLIHarness.standardRepository()
        let head = try repo.git("rev-parse", "HEAD")
        var env = repo.environment
        env["GITHUB_ACTIONS"] = "true"
        env["GITHUB_EVENT_NAME"] = "push"
        env["GITHUB_REF"] = "refs/tags/v2.0.0"
        env["GITHUB_SHA"] = head
        let result = try cli.run(
            [
                "tags", "--images", "ghcr.io/acme/api", "--tag", "type=semver,pattern={{version}}", "--tag",
                "type=semver,pattern={{major}}.{{minor}}", "--tag", "type=sha", "--flavor", "latest=auto",
            ], in: repo.path, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout
                == "ghcr.io/acme/api:2.0.0\nghcr.io/acme/api:2.0\nghcr.io/acme/api:sha-\(head.prefix(7))\nghcr.io/acme/api:latest\n"
        )
        let schedule = try cli.run(
            ["tags", "--tag", "type=schedule,pattern={{date 'YYYYMMDD'}}", "--now", "2024-05-06T07:08:09Z"], in: repo.path,
            environment: env.merging(["GITHUB_EVENT_NAME": "schedule", "GITHUB_REF": "refs/heads/main"]) { $1 })
        #expect(schedule.stdout == "registry.example/acme/api:20240506\n")
    }

    @Test("a git tag at another commit is a conflict: exit 3, naming that commit")
    func localConflict() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: a")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("elsewhere")
        let stray = try repo.commit("fix: stray")
        try repo.tag("v1.1.0")
        try repo.checkout("main")
        try repo.commit("feat: b")
        let result = try cli.run(["plan"], in: repo.path, environment: repo.environment)
        #expect(result.status == 3)
        #expect(result.stderr.contains("'v1.1.0' already exists locally at commit \(stray)"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("a tag on the remote at another commit is a conflict; --offline skips the remote")
    func remoteConflict() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: a")
        try repo.tag("v1.0.0")
        let remote = try repo.makeBareRemote()
        let other = try GitRepoBuilder()
        try other.git("fetch", "-q", remote, "main:main-remote")
        try other.checkout("main-remote")
        let stray = try other.commit("feat: pushed by someone else")
        try other.git("push", "-q", remote, "HEAD:refs/tags/v1.1.0")
        try repo.commit("feat: b")
        let result = try cli.run(["check"], in: repo.path, environment: repo.environment)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("on remote 'origin' at commit \(stray)"))
        #expect(try cli.run(["check", "--offline"], in: repo.path, environment: repo.environment).status == 0)
    }

    @Test("the same commit already tagged is fine: re-runs are idempotent")
    func idempotent() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: a")
        try repo.tag("v0.1.0")
        let result = try cli.run(["check"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("prod takes final releases only; a pattern names the offending tag (exit 65)")
    func namingPolicy() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: a")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("develop")
        try repo.commit("feat: b")
        let prod = try cli.run(["check", "--env", "prod"], in: repo.path, environment: repo.environment)
        #expect(prod.status == 65)
        #expect(prod.stderr.contains("final releases only"))
        try repo.write("berth.yaml", "environments:\n  - name: dev\n    pattern: '^v[0-9.]+-dev\\.[0-9]+$'\n")
        let dev = try cli.run(["check", "--env", "dev", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(dev.status == 65)
        #expect(dev.stderr.contains("tag 'dev-"))
        let unknown = try cli.run(["check", "--env", "qa", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(unknown.status == 64)
    }

    @Test("bad places and bad config: one line, the documented exit code, no stack trace")
    func badInput() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        let empty = try cli.run(["plan"], in: repo.path, environment: repo.environment)
        #expect(
            empty.status == 1
                && empty.stderr
                    == "berth: error: the repository at '\(repo.path)' has no commits yet; commit something first (git commit)\n"
        )
        let notRepo = try cli.run(["plan"], in: "/", environment: repo.environment)
        #expect(
            notRepo.status == 1 && notRepo.stderr.contains("not inside a git repository")
                && notRepo.stderr.split(separator: "\n").count == 1)
        try repo.commit("feat: a")
        try repo.write("berth.yaml", "version:\n  tag_prefx: v\n")
        let badConfig = try cli.run(["plan", "--allow-dirty"], in: repo.path, environment: repo.environment)
        #expect(badConfig.status == 64)
        #expect(badConfig.stderr.hasPrefix("berth: error: \(repo.path)/berth.yaml:2:3: unknown key 'version.tag_prefx'"))
        let missing = try cli.run(["plan", "--config", "nope.yaml"], in: repo.path, environment: repo.environment)
        #expect(missing.status == 64 && missing.stderr.contains("nope.yaml"))
        let usage = try cli.run(["plan", "--bogus"], in: repo.path, environment: repo.environment)
        #expect(usage.status == 64)
        let badImage = try cli.run(
            ["plan", "--allow-dirty", "--config", "/dev/null", "--images", "ghcr.io/acme/api:v1"], in: repo.path,
            environment: repo.environment)
        #expect(badImage.status == 64 && badImage.stderr.contains("'ghcr.io/acme/api:v1'"))
    }

    @Test("credentials in the remote URL never reach the output")
    func noSecrets() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: a")
        try repo.git("remote", "add", "origin", "https://x-access-token:ghs_SuperSecret123@github.com/acme/api.git")
        for arguments in [
            ["plan", "--offline"], ["plan", "--offline", "--json"], ["labels"], ["plan", "--offline", "--format", "env"],
        ] {
            let result = try cli.run(arguments, in: repo.path, environment: repo.environment)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("SuperSecret"))
            if !arguments.contains("env") { #expect(result.stdout.contains("https://github.com/acme/api")) }
        }
    }
}
