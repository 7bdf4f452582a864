import BerthTestSupport
import Foundation
import Testing

/// The CI files `berth init` writes, run through the validators their platforms' users run: actionlint
/// (no finding at all: it also knows which action majors run on a runtime GitHub has removed) and the
/// GitLab CI schema vendored by check-jsonschema.
@Suite("the CI files berth init writes lint clean", .requires(.actionlint, .checkJSONSchema))
struct CITemplateLintTests {
    /// A directory `berth init` (with `arguments`) wrote into; a Go module for the gin template.
    static func initialised(_ arguments: [String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-ci-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "module example.com/api\n\ngo 1.19\n".write(toFile: directory + "/go.mod", atomically: true, encoding: .utf8)
        let result = try CLIHarness().run(["init"] + arguments, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        return directory
    }

    @Test("actionlint finds nothing in the GitHub workflow", arguments: [[], ["--template", "gin"]])
    func githubWorkflow(arguments: [String]) throws {
        let directory = try Self.initialised(arguments)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lint = try Shell.run(
            ExternalTool.actionlint.path, ["-no-color", ".github/workflows/release.yml"], directory: directory)
        #expect(lint.status == 0 && lint.stdout.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }

    @Test("the GitLab job passes GitLab's CI schema", arguments: [[], ["--template", "gin"]])
    func gitlabJob(arguments: [String]) throws {
        let directory = try Self.initialised(arguments)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let check = try Shell.run(
            ExternalTool.checkJSONSchema.path, ["--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"], directory: directory)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test(
        "berth's own release workflow and its action.yml lint clean (a workflow that uses the action, also with docker/metadata-action's inputs, checks its metadata)"
    )
    func ownWorkflowAndAction() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-action-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/.github/workflows", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // actionlint finds the project (and `uses: ./`) through the git repository.
        try Shell.run("/usr/bin/git", ["init", "-q", directory])
        try FileManager.default.copyItem(atPath: Self.root + "/action.yml", toPath: directory + "/action.yml")
        try FileManager.default.copyItem(
            atPath: Self.root + "/.github/workflows/release.yml", toPath: directory + "/.github/workflows/release.yml")
        try """
        on: push
        jobs:
          plan:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v5
              - uses: ./
                id: plan
                with:
                  version: 1.4.0
              - run: echo "$VERSION $NEW"
                env:
                  VERSION: ${{ steps.plan.outputs.version }}
                  NEW: ${{ steps.plan.outputs.new-version }}
              - uses: ./
                id: meta
                with:
                  version: 1.4.0
                  images: ghcr.io/acme/api
                  tags: |
                    type=semver,pattern={{version}}
                    type=ref,event=branch
                  labels: org.opencontainers.image.vendor=ACME
                  annotations: org.opencontainers.image.title=API
                env:
                  DOCKER_METADATA_ANNOTATIONS_LEVELS: manifest,index
              - run: echo "$NAMES $LABELS $ANNOTATIONS $JSON"
                env:
                  NAMES: ${{ steps.meta.outputs.tag-names }}
                  LABELS: ${{ steps.meta.outputs.labels }}
                  ANNOTATIONS: ${{ steps.meta.outputs.annotations }}
                  JSON: ${{ steps.meta.outputs.json }}

        """.write(toFile: directory + "/.github/workflows/use.yml", atomically: true, encoding: .utf8)
        let lint = try Shell.run(ExternalTool.actionlint.path, ["-no-color"], directory: directory)
        #expect(lint.status == 0 && lint.stdout.isEmpty, "\(lint.stdout)\(lint.stderr)")
        // The metadata is read: an input the action doesn't declare is reported.
        let use = try String(contentsOfFile: directory + "/.github/workflows/use.yml", encoding: .utf8)
        try use.replacingOccurrences(of: "version: 1.4.0", with: "versoin: 1.4.0").write(
            toFile: directory + "/.github/workflows/use.yml", atomically: true, encoding: .utf8)
        let wrong = try Shell.run(ExternalTool.actionlint.path, ["-no-color"], directory: directory)
        #expect(wrong.status != 0 && wrong.stdout.contains("versoin"), "\(wrong.stdout)")
    }

    @Test("the validators are real: an outdated action and a misspelt GitLab key are each reported")
    func validatorsFail() throws {
        let directory = try Self.initialised([])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workflow = directory + "/.github/workflows/release.yml"
        let text = try String(contentsOfFile: workflow, encoding: .utf8)
        try text.replacingOccurrences(of: "actions/checkout@v5", with: "actions/checkout@v3").write(
            toFile: workflow, atomically: true, encoding: .utf8)
        let lint = try Shell.run(ExternalTool.actionlint.path, ["-no-color", workflow], directory: directory)
        #expect(lint.status != 0 && lint.stdout.contains("actions/checkout@v3"), "\(lint.stdout)")
        let job = directory + "/.gitlab-ci.yml"
        let gitlab = try String(contentsOfFile: job, encoding: .utf8)
        try gitlab.replacingOccurrences(of: "  script:", with: "  scripts:").write(toFile: job, atomically: true, encoding: .utf8)
        let check = try Shell.run(ExternalTool.checkJSONSchema.path, ["--builtin-schema", "vendor.gitlab-ci", job])
        #expect(check.status != 0, "\(check.stdout)")
    }
}
