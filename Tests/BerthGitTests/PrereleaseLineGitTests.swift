import BerthCore
import BerthGit
import BerthTestSupport
import Foundation
import Testing

/// The shape of a project that tags only pre-releases on main and cuts finals on maintenance branches
/// that are never merged back, with tags under two prefixes, on a real git repository.
@Suite("pre-releases on main, finals on maintenance branches, in real git")
struct PrereleaseLineGitTests {
    /// main: v21.0.0, then only v22.0.0-next.1…3; branch 21.x (never merged): v21.0.1, v21.1.0, and the
    /// same releases under the prefix's other spelling (21.0.1, 21.1.0), as some release tools also push.
    static func repository() throws -> GitRepoBuilder {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v21.0.0", annotated: true)
        try repo.checkoutNewBranch("21.x")
        try repo.commit("fix: backport one")
        try repo.tag("v21.0.1", annotated: true)
        try repo.tag("21.0.1")
        try repo.commit("feat: backport two")
        try repo.tag("v21.1.0", annotated: true)
        try repo.tag("21.1.0")
        try repo.checkout("main")
        for n in 1...3 {
            try repo.commit("feat: next \(n)")
            try repo.tag("v22.0.0-next.\(n)", annotated: true)
        }
        try repo.commit("feat: after the last pre-release")
        return repo
    }

    func decide(_ repo: GitRepoBuilder, line: PrereleaseLine = .continue) throws -> VersionDecision {
        var policy = VersionPolicy()
        policy.prereleaseLine = line
        let git = try GitRepository(directory: repo.path, environment: repo.environment)
        return try VersionService(git: git).decide(VersionRequest(policy: policy))
    }

    @Test("main continues its pre-release line above the maintenance finals, and says why")
    func continuesLine() throws {
        let repo = try Self.repository()
        let decision = try decide(repo)
        // The plain bump of the newest reachable final (v21.0.0) would be 21.1.0: far below the
        // pre-releases, and a version the maintenance branch already tagged.
        #expect(decision.base?.name == "v21.0.0")
        #expect(decision.adjustment?.bumped.description == "21.1.0")
        #expect(decision.version.description == "22.0.0-next.4")
        #expect(decision.tagName == "v22.0.0-next.4")
        #expect(decision.adjustment?.kind == .continuedPrereleaseLine)
        #expect(decision.adjustment?.highest?.name == "v22.0.0-next.3")
        #expect(decision.explanation.contains("21.1.0 is not above 'v22.0.0-next.3' on HEAD's history"))
        let all = try repo.git("tag", "--list").split(separator: "\n").map(String.init)
        #expect(!all.contains(decision.tagName))
    }

    @Test("as a final channel, main releases the first final above its pre-releases")
    func finalChannel() throws {
        let repo = try Self.repository()
        let decision = try decide(repo, line: .final)
        #expect(decision.version.description == "22.0.0")
        #expect(decision.adjustment?.kind == .finalAbovePrereleases)
    }

    @Test("the maintenance branch's own next final skips the version its other-spelled tag already has")
    func maintenanceBranch() throws {
        let repo = try Self.repository()
        try repo.checkout("21.x")
        try repo.tag("21.1.1")
        try repo.commit("fix: backport three")
        var policy = VersionPolicy()
        policy.channels = [ChannelRule(branch: "*.x", prerelease: nil)]
        let git = try GitRepository(directory: repo.path, environment: repo.environment)
        let decision = try VersionService(git: git).decide(VersionRequest(policy: policy, defaultBranch: "main"))
        #expect(decision.base?.name == "v21.1.0")
        #expect(decision.version.description == "21.1.2")
        #expect(decision.adjustment?.skipped == ["21.1.1"])
        #expect(decision.adjustment?.kind == nil)
    }
}
