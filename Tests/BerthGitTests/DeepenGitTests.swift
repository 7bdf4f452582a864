import BerthCore
import BerthGit
import BerthTestSupport
import Foundation
import Testing

/// `--deepen` on real git: a bare remote served over file://, a `git clone --depth 1 file://…` of it, and
/// the version decided after deepening compared with the one the full history gives.
@Suite("deepening a shallow clone just enough to plan")
struct DeepenGitTests {
    /// The bare remote of `repo` and a clone of it with one commit (of `branch`, else the default).
    func shallowCloneOfBare(_ repo: GitRepoBuilder, branch: String? = nil) throws -> (remote: String, clone: String) {
        let remote = try repo.makeBareRemote()
        try repo.git("push", "-q", "origin", "--all")
        try repo.git("push", "-q", "origin", "--tags")
        let clone = URL(fileURLWithPath: remote).deletingLastPathComponent().appendingPathComponent("clone").path
        var arguments = ["clone", "-q", "--depth", "1"]
        if let branch { arguments += ["--branch", branch] }
        // --depth over a local path is ignored: the file:// URL makes git use the pack protocol.
        try repo.git(arguments + ["file://\(remote)", clone])
        return (remote, clone)
    }

    /// v1.0.0 and a fix after it, the bare remote, and a one-commit clone: for the failure cases.
    func releasedOnceClone() throws -> (repo: GitRepoBuilder, remote: String, clone: String) {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.commit("fix: second")
        let (remote, clone) = try shallowCloneOfBare(repo)
        return (repo, remote, clone)
    }

    func git(_ clone: String, _ repo: GitRepoBuilder, _ arguments: String...) throws -> String {
        try repo.git(["-C", clone] + arguments)
    }

    func decide(_ directory: String, _ repo: GitRepoBuilder, deepen: Bool = true, branch: String? = nil) throws -> VersionDecision
    {
        let git = try GitRepository(directory: directory, environment: repo.environment)
        var request = VersionRequest(branch: branch)
        request.deepenFrom = deepen ? "origin" : nil
        return try VersionService(git: git, fetcher: git).decide(request)
    }

    @Test("a base tag 70 commits back: one exclusion fetch, the same version as the full clone, still shallow")
    func baseFarBack() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v0.9.0")
        try repo.commit("fix: old")
        try repo.tag("v1.0.0", annotated: true)
        for index in 1...70 { try repo.commit(index == 35 ? "feat: middle" : "fix: change \(index)") }
        let (_, clone) = try shallowCloneOfBare(repo)
        #expect(throws: BerthError.self) { try decide(clone, repo, deepen: false) }

        let full = try decide(repo.path, repo, deepen: false)
        let deepened = try decide(clone, repo)
        #expect(deepened.version == full.version && deepened.version.description == "1.1.0")
        #expect(deepened.base?.name == "v1.0.0" && deepened.commits.count == 70)
        let report = try #require(deepened.deepening)
        #expect(report.steps == [.excludeReleases(["v0.9.0", "v1.0.0"])] && report.outcome == .baseReached)
        #expect(report.tagsFetched == 1)
        // Just enough: the clone is still shallow, v0.9.0's commit and tag were never fetched.
        #expect(try git(clone, repo, "rev-parse", "--is-shallow-repository") == "true")
        #expect(try git(clone, repo, "tag") == "v1.0.0")
        #expect(try git(clone, repo, "rev-list", "--count", "HEAD") == "71")
        #expect(deepened.explanation.contains("in 1 deepen step"))
    }

    @Test("a merged maintenance branch cut by the boundary is deepened into, and counted as on a full clone")
    func mergeAcrossBoundary() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.git("checkout", "-q", "-b", "maint")
        try repo.commit("fix: backport one")
        try repo.commit("feat: backport two")
        try repo.tag("v1.0.1")
        try repo.git("checkout", "-q", "main")
        try repo.commit("fix: on main")
        try repo.tag("v1.1.0", annotated: true)
        try repo.commit("fix: after the release")
        try repo.git("merge", "-q", "--no-ff", "-m", "chore: merge maint", "maint")
        try repo.commit("fix: last")
        let (_, clone) = try shallowCloneOfBare(repo)

        let full = try decide(repo.path, repo, deepen: false)
        let deepened = try decide(clone, repo)
        // The backports are since v1.1.0 too (it doesn't reach them): the feat among them makes it minor.
        #expect(full.version.description == "1.2.0")
        #expect(deepened.version == full.version && deepened.base?.name == "v1.1.0")
        #expect(Set(deepened.commits.map(\.sha)) == Set(full.commits.map(\.sha)))
        // The exclusion cuts the merge (one parent is v1.0.1's) and main before it: one --deepen step fills them.
        let report = try #require(deepened.deepening)
        #expect(report.steps == [.excludeReleases(["v1.0.0", "v1.0.1", "v1.1.0"]), .deepen(50)])
        #expect(try git(clone, repo, "tag").split(separator: "\n").contains("v1.1.0"))
    }

    @Test("no tags on the remote: the initial version, nothing fetched, the clone left shallow")
    func noTags() throws {
        let repo = try GitRepoBuilder()
        for index in 1...5 { try repo.commit("feat: change \(index)") }
        let (_, clone) = try shallowCloneOfBare(repo)
        let deepened = try decide(clone, repo)
        #expect(deepened.version.description == "0.1.0" && deepened.reason == .initial)
        let report = try #require(deepened.deepening)
        #expect(report.steps.isEmpty && report.outcome == .noVersionTags && report.tagsFetched == 0)
        #expect(try git(clone, repo, "rev-parse", "--is-shallow-repository") == "true")
    }

    @Test("release tags HEAD doesn't reach: the whole history is fetched, then the initial version")
    func tagsElsewhere() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.git("checkout", "-q", "-b", "other")
        try repo.commit("fix: elsewhere")
        try repo.tag("v2.0.0")
        try repo.git("checkout", "-q", "main")
        for index in 1...3 { try repo.commit("fix: change \(index)") }
        let (_, clone) = try shallowCloneOfBare(repo, branch: "main")
        let deepened = try decide(clone, repo)
        #expect(deepened.version.description == "0.1.0" && deepened.base == nil)
        #expect(deepened.deepening?.outcome == .complete)
        #expect(try git(clone, repo, "rev-parse", "--is-shallow-repository") == "false")
        // v2.0.0's commit was never fetched, so neither was the tag (it would have brought its history).
        #expect(try git(clone, repo, "tag").isEmpty)
    }

    @Test("HEAD behind a newer release (the exclusion selects nothing): growing --deepen steps instead")
    func exclusionRefused() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        for index in 1...60 { try repo.commit("fix: change \(index)") }
        try repo.git("branch", "old")
        try repo.commit("feat: newer")
        try repo.tag("v1.1.0")
        let (_, clone) = try shallowCloneOfBare(repo, branch: "old")

        let deepened = try decide(clone, repo)
        #expect(deepened.version.description == "1.0.1" && deepened.base?.name == "v1.0.0" && deepened.commits.count == 60)
        #expect(deepened.deepening?.steps == [.deepen(50), .deepen(200)])
    }

    @Test("a tagged HEAD needs no fetch beyond its tag")
    func taggedHead() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.commit("feat: second")
        try repo.tag("v1.1.0", annotated: true)
        let (_, clone) = try shallowCloneOfBare(repo)
        let deepened = try decide(clone, repo)
        #expect(deepened.version.description == "1.1.0" && deepened.reason == .headTagged("v1.1.0"))
        // git clone --depth 1 brought the tag on HEAD already.
        #expect(deepened.deepening?.steps == [] && deepened.deepening?.outcome == .baseReached)
    }

    @Test("an unreachable remote: one line naming the remote and what to do, no prompt")
    func unreachableRemote() throws {
        let (repo, remote, clone) = try releasedOnceClone()
        try FileManager.default.removeItem(atPath: remote)
        let error = try #require(throws: BerthError.self) { try decide(clone, repo) }
        #expect(error.kind == .failure)
        #expect(!error.message.contains("\n"))
        #expect(error.message.hasPrefix("can't deepen this shallow clone from remote 'origin': git ls-remote failed: "))
        #expect(error.message.contains("git ls-remote origin") && error.message.contains("git fetch --unshallow --tags origin"))
    }

    @Test("a remote that isn't configured is named, with the fix")
    func missingRemote() throws {
        let (repo, _, clone) = try releasedOnceClone()
        try git(clone, repo, "remote", "rename", "origin", "upstream")
        let error = try #require(throws: BerthError.self) { try decide(clone, repo) }
        #expect(error.message.contains("remote 'origin' is not configured") && error.message.contains("git.remote"))
    }

    @Test("credentials in the remote's URL never reach the message")
    func redactsUserInfo() throws {
        let (repo, _, clone) = try releasedOnceClone()
        // Port 9 (discard) on loopback: refused at once.
        try git(clone, repo, "remote", "set-url", "origin", "https://ci-token:s3cr3t@127.0.0.1:9/acme/api.git")
        let error = try #require(throws: BerthError.self) { try decide(clone, repo) }
        #expect(
            error.message.hasPrefix("can't deepen this shallow clone from remote 'origin'") && !error.message.contains("s3cr3t"))
        #expect(
            GitRepository.withoutUserInfo("unable to access 'https://gitlab-ci-token:s3cr3t@gitlab.example/x.git/': 403")
                == "unable to access 'https://gitlab.example/x.git/': 403")
    }
}
