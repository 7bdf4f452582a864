import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// The lifecycle on a local OCI layout (`image.names: [oci:PATH]`) instead of a registry: release,
/// promote, then prune with --yes — tags removed, unreachable blobs collected, everything a kept tag
/// reaches (an index's children included) still there and readable by skopeo.
@Suite("lifecycle on an OCI layout")
struct LayoutLifecycleTests {
    @Test("the default ledger, .berth/ledger.sqlite, ignores itself: a 'git add -A' never commits it")
    func defaultLedgerIgnored() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.write("berth.yaml", "image:\n  names: [oci:../out]\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("feat: first endpoint")
        let plan = try cli.run(["plan", "--record", "--quiet"], in: repo.path, environment: repo.environment)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.berth/ledger.sqlite"))
        try repo.git("add", "-A")
        #expect(try repo.git("status", "--porcelain") == "", "nothing of .berth is staged")
        let again = try cli.run(["plan", "--record", "--quiet"], in: repo.path, environment: repo.environment)
        #expect(again.status == 0, "a second run finds a clean tree: \(again.stderr)")
    }

    @Test("prune --yes on a layout: old releases go, their blobs are collected; kept images and index children stay")
    func pruneLayout() async throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        let layout = repo.path + "/../store"
        let store = try OCILayoutStore(path: layout)
        try repo.write("berth.yaml", "image:\n  names: [oci:\(layout)]\nledger: ../ledger.sqlite\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("feat: first endpoint")
        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: repo.environment)
        }
        let head = try repo.git("rev-parse", "--short=7", "HEAD")
        // Two old releases nothing runs, and the new build: a two-platform index.
        let old1 = try await TestImages.push(into: store, repository: "", tag: "v0.0.1", seed: "old-1")
        let old2 = try await TestImages.push(into: store, repository: "", tag: "v0.0.2", seed: "old-2")
        let build = try await TestImages.pushIndex(into: store, repository: "", tag: "sha-\(head)", seed: "new")
        let children = try build.index().manifests.map(\.digest)

        #expect(try berth("plan", "--record", "--quiet").status == 0)
        try LifecycleCLITests.releaseCleared(
            cli, repo: repo, image: "oci:\(layout)", digest: build.digest.description, environment: repo.environment)
        #expect(try berth("promote", "0.1.0", "--to", "dev").status == 0)
        let unknown = try berth("promote", "9.9.9", "--to", "dev")
        #expect(
            unknown.status == 1 && unknown.stderr.contains("has no version 9.9.9") && unknown.stderr.contains("was it released?"),
            "a version never released: \(unknown.stderr)")

        let plan = try LifecycleCLITests.json(try berth("prune", "--keep", "1", "--json")) as? [String: Any]
        let deleting = (plan?["delete"] as? [[String: String]])?.map { $0["tag"] ?? "" }
        #expect(deleting == ["v0.0.1", "v0.0.2"], "\(String(describing: plan))")
        let blobs = layout + "/blobs/sha256/"
        #expect(FileManager.default.fileExists(atPath: blobs + old1.digest.hex), "a plan deletes nothing")

        let applied = try berth("prune", "--keep", "1", "--yes")
        #expect(applied.status == 0 && applied.stdout.contains("2 deleted"), "\(applied.stdout)\(applied.stderr)")
        let tags = Set(try await store.listTags(""))
        #expect(tags == ["v0.1.0", "v0.1", "latest", "sha-\(head)", "v0.1.0-dev"], "\(tags)")
        for gone in [old1, old2] {
            #expect(!FileManager.default.fileExists(atPath: blobs + gone.digest.hex), "an old manifest is collected")
            #expect(!FileManager.default.fileExists(atPath: blobs + (try gone.manifest().config.digest.hex)))
        }
        for kept in [build.digest] + children {
            #expect(FileManager.default.fileExists(atPath: blobs + kept.hex), "\(kept) is reached by a kept tag")
        }
        if ExternalTool.skopeo.isAvailableForOptionalStep() {
            let inspect = try Shell.run("/usr/bin/skopeo", ["inspect", "--raw", "oci:\(layout):v0.1.0"])
            #expect(inspect.status == 0, "skopeo reads the pruned layout: \(inspect.stderr)")
        }
        let history = try LifecycleCLITests.json(try berth("history", "--json")) as? [[String: Any]]
        #expect(
            history?.map { $0["kind"] as? String ?? "" }.reversed() == [
                "planned", "tagged", "released", "gate-evaluated", "promoted", "pruned",
            ], "\(String(describing: history))")
        let planned = history?.last?["details"] as? [String: String]
        #expect(
            planned?["tags"] == "v0.1.0,v0.1,latest,sha-\(head)" && planned?["channel"] == "release",
            "\(String(describing: planned))")
        let pruned = history?.first { $0["kind"] as? String == "pruned" }
        #expect((pruned?["details"] as? [String: String])?["tags"] == "v0.0.1,v0.0.2")
        let again = try berth("prune", "--keep", "1", "--yes")
        #expect(again.status == 0 && again.stdout.contains("0 deleted"), "a second prune has nothing to do: \(again.stdout)")
    }
}
