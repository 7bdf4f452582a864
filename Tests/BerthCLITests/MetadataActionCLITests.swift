import BerthTestSupport
import Foundation
import Testing

/// docker/metadata-action mode as the action runs: before any checkout, with the GitHub context alone.
@Suite("metadata-action mode without a checkout, through the built binary")
struct MetadataActionCLITests {
    static let sha = "266574110acf203503badf966df2ea24b5d732d7"
    static let headSHA = "3370e228f2209994d57af4427fe64e71bb79ac96"

    /// A directory outside any git repository with an event payload in it, and the environment a GitHub
    /// runner gives a step: GITHUB_* variables only, and a PATH without git.
    final class Runner {
        let directory: URL
        let environment: [String: String]

        init(event: String, ref: String, payload: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-no-checkout-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let payloadFile = directory.appendingPathComponent("event.json")
            try Data(payload.utf8).write(to: payloadFile)
            let emptyBin = directory.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: emptyBin, withIntermediateDirectories: true)
            environment = [
                "HOME": directory.path, "PATH": emptyBin.path,
                "GIT_CEILING_DIRECTORIES": directory.deletingLastPathComponent().path,
                "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event, "GITHUB_REF": ref, "GITHUB_SHA": MetadataActionCLITests.sha,
                "GITHUB_EVENT_PATH": payloadFile.path, "GITHUB_REPOSITORY": "acme/api", "GITHUB_SERVER_URL": "https://github.com",
            ]
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    static let pullRequestPayload = """
        {"action": "opened", "number": 15,
         "pull_request": {"number": 15, "base": {"ref": "master"}, "head": {"ref": "test-pr", "sha": "\(headSHA)"}},
         "repository": {"name": "api", "default_branch": "master", "html_url": "https://github.com/acme/api"}}
        """

    static let pushPayload = """
        {"ref": "refs/heads/master", "after": "\(sha)",
         "head_commit": {"id": "\(sha)", "timestamp": "2024-11-13T13:42:28Z"},
         "repository": {"name": "api", "default_branch": "master"}}
        """

    @Test("pull_request_target without a checkout: the PR's merge ref, base_ref, images lines, capitals lower-cased")
    func pullRequestTarget() throws {
        let cli = try CLIHarness()
        // GitHub sends the base branch's ref on pull_request_target; the action works on refs/pull/N/merge.
        let runner = try Runner(event: "pull_request_target", ref: "refs/heads/master", payload: Self.pullRequestPayload)
        let result = try cli.run(
            [
                "tags", "--images", "ghcr.io/MyUSER/MyApp", "--images", "name=ghcr.io/acme/off,enable=false",
                "--tag", "type=ref,event=pr", "--tag", "type=sha", "--tag", "type=raw,value=into-{{base_ref}}",
                "--tag", "type=raw,value=side,enable={{is_not_default_branch}}",
            ], in: runner.directory.path, environment: runner.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout
                == """
                ghcr.io/myuser/myapp:pr-15
                ghcr.io/myuser/myapp:into-master
                ghcr.io/myuser/myapp:side
                ghcr.io/myuser/myapp:sha-2665741

                """)
        // DOCKER_METADATA_PR_HEAD_SHA takes the pull request's head commit from the payload.
        var env = runner.environment
        env["DOCKER_METADATA_PR_HEAD_SHA"] = "true"
        let head = try cli.run(["tags", "--tag", "type=sha,format=long"], in: runner.directory.path, environment: env)
        #expect(head.status == 0, "\(head.stderr)")
        #expect(head.stdout == "sha-\(Self.headSHA)\n")
    }

    @Test("{{commit_date}} comes from the payload's commit; without it and without a checkout, a one-line reason")
    func commitDate() throws {
        let cli = try CLIHarness()
        let push = try Runner(event: "push", ref: "refs/heads/master", payload: Self.pushPayload)
        let dated = try cli.run(
            ["tags", "--json", "--tag", "type=raw,value=src-{{commit_date 'YYYYMMDD-HHmmss'}}", "--tag", "type=edge"],
            in: push.directory.path, environment: push.environment)
        #expect(dated.status == 0, "\(dated.stderr)")
        #expect(dated.stdout.contains("\"src-20241113-134228\""), "\(dated.stdout)")
        #expect(dated.stdout.contains("\"edge\""), "\(dated.stdout)")

        let pull = try Runner(event: "pull_request", ref: "refs/pull/15/merge", payload: Self.pullRequestPayload)
        let undated = try cli.run(
            ["tags", "--tag", "type=raw,value=src-{{commit_date 'YYYYMMDD'}}"], in: pull.directory.path,
            environment: pull.environment)
        #expect(undated.status == 64)
        #expect(undated.stdout.isEmpty)
        #expect(undated.stderr.contains("{{commit_date}} needs the commit's time"), "\(undated.stderr)")
        #expect(undated.stderr.contains("actions/checkout"), "\(undated.stderr)")
        #expect(undated.stderr.split(separator: "\n").count == 1, "\(undated.stderr)")
    }

    @Test("without GITHUB_REF and without a checkout, the rules can't know the ref: a one-line reason")
    func noRef() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "", payload: Self.pushPayload)
        let result = try cli.run(["tags", "--tag", "type=sha"], in: runner.directory.path, environment: runner.environment)
        #expect(result.status == 64)
        #expect(result.stderr.contains("GITHUB_REF is not set and there is no git checkout"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("a workflow line quoted whole keeps a quoted comma, as the action's input reader does")
    func quotedLine() throws {
        let cli = try CLIHarness()
        let runner = try Runner(
            event: "push", ref: "refs/tags/20200110-RC12", payload: #"{"repository": {"default_branch": "master"}}"#)
        let result = try cli.run(
            ["tags", "--tag", #""type=match,""pattern=^\d+-RC\d{1,2}""""#], in: runner.directory.path,
            environment: runner.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "20200110-RC12\nlatest\n")
    }

    @Test("labels take the repository's name, description, URL and licence from the event payload, as the action does")
    func payloadLabels() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        let head = try repo.commit("feat: first")
        let payloadFile = URL(fileURLWithPath: repo.path).deletingLastPathComponent().appendingPathComponent("event.json")
        try Data(
            #"{"repository": {"name": "Hello-World", "description": "This your first repo!", "html_url": "https://github.com/octocat/Hello-World", "license": {"spdx_id": "MIT"}, "default_branch": "main"}}"#
                .utf8
        ).write(to: payloadFile)
        var env = repo.environment
        env.merge([
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main", "GITHUB_SHA": head,
            "GITHUB_EVENT_PATH": payloadFile.path,
        ]) { $1 }
        let result = try cli.run(["labels", "-q", "--tag", "type=ref,event=branch"], in: repo.path, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        for label in [
            "org.opencontainers.image.title=Hello-World", "org.opencontainers.image.description=This your first repo!",
            "org.opencontainers.image.url=https://github.com/octocat/Hello-World", "org.opencontainers.image.licenses=MIT",
            "org.opencontainers.image.version=main", "org.opencontainers.image.revision=\(head)",
        ] {
            #expect(result.stdout.contains(label + "\n"), "\(label) in \(result.stdout)")
        }
    }

    @Test("a branch name that is no OCI tag: berth repairs it; --metadata-action-exact keeps the action's and refuses it")
    func exactMode() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "refs/heads/-wip/#1", payload: Self.pushPayload)
        let repaired = try cli.run(
            ["tags", "--tag", "type=ref,event=branch"], in: runner.directory.path, environment: runner.environment)
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout == "wip-1\n")
        let exact = try cli.run(
            ["tags", "--tag", "type=ref,event=branch", "--metadata-action-exact"], in: runner.directory.path,
            environment: runner.environment)
        #expect(exact.status == 65)
        #expect(exact.stderr.contains("tag '-wip-1' is not a valid OCI tag"), "\(exact.stderr)")
        #expect(exact.stderr.split(separator: "\n").count == 1)
    }

    @Test("tags --format github writes the action's version, tags, tag-names and json outputs without a checkout")
    func githubOutputs() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "refs/tags/v1.2.3", payload: Self.pushPayload)
        let output = runner.directory.appendingPathComponent("github-output")
        try Data("earlier=1\n".utf8).write(to: output)
        var env = runner.environment
        env["GITHUB_OUTPUT"] = output.path
        let result = try cli.run(
            [
                "tags", "--format", "github", "--images", "ghcr.io/acme/api", "--tag", "type=semver,pattern={{version}}",
                "--tag", "type=semver,pattern={{major}}.{{minor}}",
            ], in: runner.directory.path, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(
            written == """
                earlier=1
                version=1.2.3
                tags<<berth_tags_EOF
                ghcr.io/acme/api:1.2.3
                ghcr.io/acme/api:1.2
                ghcr.io/acme/api:latest
                berth_tags_EOF
                tag-names<<berth_tag-names_EOF
                1.2.3
                1.2
                latest
                berth_tag-names_EOF
                json={"tag-names":["1.2.3","1.2","latest"],"tags":["ghcr.io/acme/api:1.2.3","ghcr.io/acme/api:1.2","ghcr.io/acme/api:latest"]}

                """)
    }

    static let releasePayload = """
        {"ref": "refs/tags/v1.2.3", "after": "\(sha)",
         "head_commit": {"id": "\(sha)", "timestamp": "2024-11-13T13:42:28Z"},
         "repository": {"name": "api", "description": "The API", "html_url": "https://github.com/acme/api",
          "license": {"spdx_id": "MIT"}, "default_branch": "master"}}
        """

    @Test("labels without a checkout: the action's labels with its labels: lines over them, its annotations at the levels asked")
    func labelsWithoutCheckout() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "refs/tags/v1.2.3", payload: Self.releasePayload)
        var env = runner.environment
        env["DOCKER_METADATA_ANNOTATIONS_LEVELS"] = "manifest,index"
        // One --label carrying the workflow's whole multi-line input, as a `labels: |` block arrives.
        let arguments = [
            "--tag", "type=semver,pattern={{version}}", "--label",
            "# the maintainer\nmaintainer=ACME\norg.opencontainers.image.title=API {{tag}}\n",
            "--annotation", "org.opencontainers.image.vendor=ACME",
        ]
        let quiet = try cli.run(["labels", "-q"] + arguments, in: runner.directory.path, environment: env)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(
            quiet.stdout == """
                maintainer=ACME
                org.opencontainers.image.created=2024-11-13T13:42:28Z
                org.opencontainers.image.description=The API
                org.opencontainers.image.licenses=MIT
                org.opencontainers.image.revision=\(Self.sha)
                org.opencontainers.image.source=https://github.com/acme/api
                org.opencontainers.image.title=API v1.2.3
                org.opencontainers.image.url=https://github.com/acme/api
                org.opencontainers.image.version=1.2.3

                """)
        let json = try cli.run(["labels", "--json"] + arguments, in: runner.directory.path, environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let annotations = try #require(document["annotations"] as? [String])
        #expect(annotations.count == 18)
        #expect(annotations.first == "manifest:org.opencontainers.image.created=2024-11-13T13:42:28Z")
        #expect(annotations.contains("manifest:org.opencontainers.image.vendor=ACME"))
        #expect(annotations.contains("index:org.opencontainers.image.title=api"))
        #expect(annotations.last == "index:org.opencontainers.image.version=1.2.3")
        #expect((document["labels"] as? [String: String])?["maintainer"] == "ACME")
    }

    @Test("labels and annotations lines from berth.yaml's image.metadata_action, without a checkout")
    func configuredLines() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "refs/heads/master", payload: Self.pushPayload)
        try """
        image:
          names: [ghcr.io/acme/api]
          metadata_action:
            tags: |
              type=ref,event=branch
            labels: |
              org.opencontainers.image.vendor=ACME {{branch}}
            annotations:
              - org.opencontainers.image.documentation=https://docs.acme.example
        """.write(to: runner.directory.appendingPathComponent("berth.yaml"), atomically: true, encoding: .utf8)
        let result = try cli.run(["labels", "--json"], in: runner.directory.path, environment: runner.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((document["labels"] as? [String: String])?["org.opencontainers.image.vendor"] == "ACME master")
        let annotations = try #require(document["annotations"] as? [String])
        #expect(annotations.contains("manifest:org.opencontainers.image.documentation=https://docs.acme.example"))
        #expect(!annotations.contains { $0.contains("vendor") })
    }

    @Test("plan --format github without a checkout writes the action's outputs and berth's build values (golden)")
    func planGitHubOutputs() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "refs/tags/v1.2.3", payload: Self.releasePayload)
        let output = runner.directory.appendingPathComponent("github-output")
        try Data().write(to: output)
        var env = runner.environment
        env["GITHUB_OUTPUT"] = output.path
        env["DOCKER_METADATA_ANNOTATIONS_LEVELS"] = "manifest,index"
        let result = try cli.run(
            [
                "plan", "--format", "github", "--images", "ghcr.io/acme/api", "--tag", "type=semver,pattern={{version}}",
                "--tag", "type=sha", "--labels", "maintainer=ACME\norg.opencontainers.image.title=API",
                "--annotations", "org.opencontainers.image.vendor=ACME",
            ], in: runner.directory.path, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        CLIHarness.expectGolden(try String(contentsOf: output, encoding: .utf8), "plan.metadata-action.github.txt")
        // labels --format github appends the labels, annotations and json entries alone.
        try Data().write(to: output)
        let labels = try cli.run(
            ["labels", "--format", "github", "--images", "ghcr.io/acme/api", "--tag", "type=semver,pattern={{version}}"],
            in: runner.directory.path, environment: env)
        #expect(labels.status == 0, "\(labels.stderr)")
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(written.hasPrefix("labels<<berth_labels_EOF\norg.opencontainers.image.created=2024-11-13T13:42:28Z\n"))
        #expect(written.contains("\nannotations<<berth_annotations_EOF\nmanifest:org.opencontainers.image.created="))
        #expect(written.contains("\njson={\"annotations\":[\"manifest:"))
        #expect(written.contains("\"tag-names\":[\"1.2.3\",\"latest\"]"))
        #expect(!written.contains("\nversion="))
    }

    @Test("plan without a checkout: text, json without a decision; --record and a label that needs the commit fail with one line")
    func planWithoutCheckout() throws {
        let cli = try CLIHarness()
        let push = try Runner(event: "push", ref: "refs/heads/master", payload: Self.pushPayload)
        let text = try cli.run(
            ["plan", "--tag", "type=ref,event=branch", "--label", "built={{commit_date 'YYYYMMDD'}}"],
            in: push.directory.path, environment: push.environment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("built=20241113"), "\(text.stdout)")
        #expect(text.stdout.contains("manifest:org.opencontainers.image.version=master"), "\(text.stdout)")
        let json = try cli.run(
            ["plan", "--json", "--tag", "type=ref,event=branch"], in: push.directory.path, environment: push.environment)
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["version"] is NSNull)
        #expect(document["tag_source"] as? String == "metadata-action")
        #expect((document["tags"] as? [String: Any])?["version"] as? String == "master")

        let record = try cli.run(
            ["plan", "--record", "--tag", "type=ref,event=branch"], in: push.directory.path, environment: push.environment)
        #expect(record.status == 64)
        #expect(record.stderr.contains("--record needs a checkout"), "\(record.stderr)")
        #expect(record.stderr.split(separator: "\n").count == 1)

        let pull = try Runner(event: "pull_request", ref: "refs/pull/15/merge", payload: Self.pullRequestPayload)
        for command in ["plan", "labels"] {
            let undated = try cli.run(
                [command, "--tag", "type=ref,event=pr", "--label", "built={{commit_date 'YYYYMMDD'}}"],
                in: pull.directory.path, environment: pull.environment)
            #expect(undated.status == 64)
            #expect(undated.stdout.isEmpty)
            #expect(undated.stderr.contains("{{commit_date}} needs the commit's time"), "\(undated.stderr)")
            #expect(undated.stderr.split(separator: "\n").count == 1, "\(undated.stderr)")
        }
    }

    @Test("without tag rules berth's own versioning still needs git; labels: lines without tag rules are refused")
    func nonActionMode() throws {
        let cli = try CLIHarness()
        let runner = try Runner(event: "push", ref: "refs/heads/master", payload: Self.pushPayload)
        var withGit = runner.environment
        withGit["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let plan = try cli.run(["plan"], in: runner.directory.path, environment: withGit)
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("not inside a git repository"), "\(plan.stderr)")
        let labels = try cli.run(
            ["labels", "--label", "maintainer=ACME"], in: runner.directory.path, environment: runner.environment)
        #expect(labels.status == 64)
        #expect(labels.stderr.contains("need its tags:/flavor: rules"), "\(labels.stderr)")
    }
}
