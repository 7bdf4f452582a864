import BerthTestSupport
import Foundation
import Testing

/// Runs the built `berth` binary in a hermetic environment and compares output with golden files.
struct CLIHarness {
    let binary: String

    init() throws {
        binary = try #require(BerthBinary.path(), "build berth first (swift build), or set BERTH_BINARY")
    }

    /// Runs berth in `directory` with only `environment` (plus PATH, unless it sets one) set: no CI
    /// variables leak in.
    func run(
        _ arguments: [String], in directory: String, environment: [String: String] = [:], stdin: String? = nil
    ) throws -> ShellResult {
        var env = environment
        env["PATH"] = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return try Shell.run(binary, arguments, directory: directory, environment: env, replaceEnvironment: true, stdin: stdin)
    }

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    /// Expects `actual` to equal the golden file `name` (BERTH_RECORD_GOLDEN=1 records it and fails).
    static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch GoldenFile.compare(actual, directory: goldenDirectory, name: name) {
        case .matches: break
        case .differs(let expected):
            Issue.record(
                "golden \(name) differs:\n--- expected\n\(expected)\n--- actual\n\(actual)", sourceLocation: sourceLocation)
        case .recorded(let path):
            Issue.record("recorded \(path); run again without BERTH_RECORD_GOLDEN", sourceLocation: sourceLocation)
        case .missing(let path):
            Issue.record("golden file \(path) is missing; record it with BERTH_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
        }
    }

    /// A repository with a release, a breaking change and a fix since: the standard scenario of the goldens.
    static func standardRepository() throws -> GitRepoBuilder {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first endpoint")
        try repo.tag("v1.4.2", annotated: true)
        try repo.commit("fix(api): nil pointer on empty body")
        try repo.commit("feat!: drop the v1 routes\n\nBREAKING CHANGE: /v1 is gone")
        try repo.commit("docs: readme")
        try repo.write(
            "berth.yaml",
            """
            image:
              names: [registry.example/acme/api]
            labels:
              title: api
              description: "The API: it's \\"quoted\\""
              licenses: Apache-2.0
            go:
              package: example.com/api/internal/version
            """)
        try repo.git("add", "berth.yaml")
        try repo.git(
            ["commit", "-q", "-m", "chore: config"],
            extraEnvironment: ["GIT_AUTHOR_DATE": "@1704081600 +0000", "GIT_COMMITTER_DATE": "@1704081600 +0000"])
        return repo
    }
}
