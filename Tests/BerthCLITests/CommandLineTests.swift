import BerthCore
import BerthLayout
import BerthLedger
import BerthTestSupport
import Foundation
import Testing

/// One command line across the lifecycle: the spellings that changed keep working with a note, empty
/// option values as CI scripts write them, and the ledger's commands without an image configured.
@Suite("a consistent command line")
struct CommandLineTests {
    /// A ledger with two repositories, each promoted to one environment.
    static func ledger(in directory: String) async throws -> String {
        let path = directory + "/ledger.sqlite"
        let ledger = try SQLiteLedger(path: path)
        for (index, repository) in ["registry.example/acme/api", "registry.example/acme/web"].enumerated() {
            let digest = "sha256:" + String(repeating: index == 0 ? "a" : "b", count: 64)
            try await ledger.append(
                LedgerEvent(
                    kind: .promoted, repository: repository, version: "1.\(index).0", digest: digest, environment: "dev",
                    actor: "ci", time: 1_704_067_200, reason: "promoted from release"))
        }
        return path
    }

    @Test("status and history with no image configured cover every repository the ledger knows")
    func everyRepository() async throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        let ledger = try await Self.ledger(in: repo.path)
        let cli = try CLIHarness()
        let status = try cli.run(["status", "--ledger", ledger], in: repo.path, environment: repo.environment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("registry.example/acme/api\n") && status.stdout.contains("registry.example/acme/web\n"))
        #expect(status.stdout.contains("1.0.0") && status.stdout.contains("1.1.0"), "\(status.stdout)")
        let json = try cli.run(["status", "--ledger", ledger, "--json"], in: repo.path, environment: repo.environment)
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(entries?.map { $0["repository"] as? String } == ["registry.example/acme/api", "registry.example/acme/web"])
        let one = try cli.run(
            ["status", "--ledger", ledger, "--image", "registry.example/acme/web", "--json"], in: repo.path,
            environment: repo.environment)
        let rows = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.map { $0["version"] as? String } == ["1.1.0"], "with --image: the rows as before")

        let history = try cli.run(["history", "--ledger", ledger, "--json"], in: repo.path, environment: repo.environment)
        let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]
        #expect(Set(events?.compactMap { $0["repository"] as? String } ?? []).count == 2)
        let text = try cli.run(["history", "--ledger", ledger], in: repo.path, environment: repo.environment)
        #expect(text.stdout.contains("registry.example/acme/web  promoted dev"), "\(text.stdout)")
    }

    @Test("status needs no git: the ledger's commands run where git isn't installed")
    func noGit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-nogit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try await Self.ledger(in: directory)
        let status = try CLIHarness().run(
            ["status", "--ledger", ledger, "--image", "registry.example/acme/api"], in: directory,
            environment: ["PATH": "/nonexistent"])
        #expect(status.status == 0 && status.stdout.contains("1.0.0"), "\(status.stderr)")
    }

    @Test("--tag-prefix= is the empty prefix, as CI scripts write it")
    func emptyValue() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("2.0.0", annotated: true)
        try repo.commit("fix: second")
        let cli = try CLIHarness()
        let result = try cli.run(["version", "--tag-prefix=", "-q"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0 && result.stdout == "2.0.1\n", "\(result.stderr)")
        let spaced = try cli.run(["version", "--tag-prefix", "", "-q"], in: repo.path, environment: repo.environment)
        #expect(spaced.stdout == result.stdout)
    }

    @Test("prune deletes only with --yes; --apply still works with a note; --dry-run never deletes")
    func pruneSpelling() async throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        let layout = repo.path + "/../layout-\(UUID().uuidString)"
        let store = try OCILayoutStore(path: layout, create: true)
        for index in 1...4 { try await TestImages.push(into: store, repository: "", tag: "v0.0.\(index)", seed: "\(index)") }
        let cli = try CLIHarness()
        func prune(_ flags: String...) throws -> ShellResult {
            try cli.run(
                ["prune", "--image", "oci:\(layout)", "--keep", "1", "--ledger", repo.path + "/../ledger.sqlite"] + flags,
                in: repo.path, environment: repo.environment)
        }
        func tags() async throws -> [String] { try await store.listTags("").sorted() }

        let plan = try prune()
        #expect(plan.status == 0 && plan.stdout.contains("(run again with --yes)"), "\(plan.stdout)\(plan.stderr)")
        let dry = try prune("--yes", "--dry-run")
        #expect(dry.status == 0 && !dry.stdout.contains("deleted"))
        #expect(try await tags() == ["v0.0.1", "v0.0.2", "v0.0.3", "v0.0.4"])
        let old = try prune("--apply")
        #expect(old.status == 0 && old.stderr.contains("prune --apply is deprecated; use --yes"), "\(old.stderr)")
        #expect(try await tags() == ["v0.0.4"])
        let help = try cli.run(["prune", "--help"], in: repo.path, environment: repo.environment)
        #expect(help.stdout.contains("--yes") && help.stdout.contains("--dry-run") && !help.stdout.contains("--apply"))
    }
}
