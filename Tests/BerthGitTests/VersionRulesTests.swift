import BerthCore
import BerthGit
import BerthTestSupport
import Foundation
import Testing

/// Every version rule, on real git repositories built in temp directories.
@Suite("next version from real git history")
struct VersionRulesTests {
    func decide(
        _ repo: GitRepoBuilder, policy: VersionPolicy = VersionPolicy(), ci: CIContext = .local, branch: String? = nil,
        directory: String? = nil, allowDirty: Bool = false
    ) throws -> VersionDecision {
        let git = try GitRepository(directory: directory ?? repo.path, environment: repo.environment)
        return try VersionService(git: git).decide(
            VersionRequest(policy: policy, ci: ci, branch: branch, allowDirty: allowDirty))
    }

    @Test("no release tag yet gives the initial version 0.1.0")
    func initial() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("chore: start")
        let decision = try decide(repo)
        #expect(decision.version.description == "0.1.0")
        #expect(decision.reason == .initial)
        #expect(decision.isNewVersion)
    }

    @Test(
        "fix → patch, feat → minor, breaking → major after 1.x",
        arguments: [
            (["fix: a"], "1.4.3"), (["feat: a"], "1.5.0"), (["fix: a", "feat: b"], "1.5.0"), (["feat!: a"], "2.0.0"),
            (["fix(x)!: a"], "2.0.0"), (["feat: a\n\nBREAKING CHANGE: b"], "2.0.0"), (["fix: a\n\nBREAKING-CHANGE: b"], "2.0.0"),
            (["docs: a", "chore: b"], "1.4.2"), (["perf: a"], "1.4.2"),
        ])
    func bumps(messages: [String], expected: String) throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.4.2")
        for message in messages { try repo.commit(message) }
        #expect(try decide(repo).version.description == expected)
    }

    @Test("a breaking change after 1.4.2 bumps to 2.0.0 and the JSON reasons list each commit's bump")
    func explained() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.4.2", annotated: true)
        try repo.commit("fix: one")
        try repo.commit("feat!: two")
        try repo.commit("docs: three")
        let decision = try decide(repo)
        #expect(decision.version.description == "2.0.0")
        #expect(decision.base?.name == "v1.4.2")
        #expect(decision.commits.map(\.bump) == [nil, .major, .patch])
        #expect(decision.reason == .bumped(.major))
    }

    @Test("below 1.0.0 a breaking change bumps the minor, or the major when configured")
    func belowOne() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v0.3.1")
        try repo.commit("feat!: break")
        #expect(try decide(repo).version.description == "0.4.0")
        var policy = VersionPolicy()
        policy.breakingBumpBelowOne = .major
        #expect(try decide(repo, policy: policy).version.description == "1.0.0")
    }

    @Test("no releasable commit since the tag: the base version, not a new release")
    func noRelease() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.commit("chore: tidy")
        let decision = try decide(repo)
        #expect(decision.version.description == "1.0.0")
        #expect(decision.reason == .noReleasableCommits)
        #expect(!decision.isNewVersion)
    }

    @Test("types are configurable: perf → patch, feat → none")
    func configurableTypes() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.commit("perf: faster")
        try repo.commit("feat: ignored now")
        var policy = VersionPolicy()
        policy.bumps = ["perf": .patch, "fix": .patch]
        #expect(try decide(repo, policy: policy).version.description == "1.0.1")
    }

    @Test("HEAD already carrying a release tag keeps that version unchanged")
    func headTagged() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.commit("feat: second")
        try repo.tag("v1.1.0", annotated: true)
        let decision = try decide(repo)
        #expect(decision.version.description == "1.1.0")
        #expect(decision.reason == .headTagged("v1.1.0"))
        #expect(!decision.isNewVersion)
    }

    @Test("the base is the highest release reachable from HEAD, not a higher one on another branch")
    func reachableOnly() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("next")
        try repo.commit("feat!: big")
        try repo.tag("v2.0.0")
        try repo.checkout("main")
        try repo.commit("fix: small")
        let decision = try decide(repo)
        #expect(decision.base?.name == "v1.0.0")
        #expect(decision.version.description == "1.0.1")
    }

    @Test("commits reached through a merge count")
    func merges() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("feature/login")
        try repo.commit("feat(auth): login")
        try repo.checkout("main")
        try repo.commit("fix: typo")
        try repo.merge("feature/login")
        let decision = try decide(repo)
        #expect(decision.version.description == "1.1.0")
        #expect(decision.commits.contains { $0.subject == "feat(auth): login" })
    }

    @Test("develop gives X.Y.Z-dev.N, N after the highest existing dev tag of that version")
    func devChannel() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.2.0")
        try repo.checkoutNewBranch("develop")
        try repo.commit("feat: next")
        #expect(try decide(repo).version.description == "1.3.0-dev.1")
        try repo.tag("v1.3.0-dev.1")
        try repo.commit("fix: more")
        try repo.tag("v1.3.0-dev.7", at: try repo.git("rev-parse", "HEAD~1"))
        let decision = try decide(repo)
        #expect(decision.version.description == "1.3.0-dev.8")
        #expect(decision.channel == .prerelease("dev"))
    }

    @Test("release/* and rc/* give X.Y.Z-rc.N; a pre-release tag on HEAD is kept")
    func rcChannel() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v2.0.0")
        try repo.checkoutNewBranch("release/2.1")
        try repo.commit("feat: for 2.1")
        #expect(try decide(repo).version.description == "2.1.0-rc.1")
        try repo.tag("v2.1.0-rc.1")
        #expect(try decide(repo).version.description == "2.1.0-rc.1")
        try repo.commit("fix: rc fix")
        #expect(try decide(repo).version.description == "2.1.0-rc.2")
        try repo.checkoutNewBranch("rc/next")
        #expect(try decide(repo).version.description == "2.1.0-rc.2")
    }

    @Test("channels are configurable: beta/* → beta")
    func customChannel() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("beta/x")
        try repo.commit("fix: a")
        var policy = VersionPolicy()
        policy.channels = [ChannelRule(branch: "beta/**", prerelease: "beta")]
        #expect(try decide(repo, policy: policy).version.description == "1.0.1-beta.1")
    }

    @Test("other branches are branch builds of the next version")
    func featureBranch() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("feature/login")
        try repo.commit("feat: login")
        let decision = try decide(repo)
        #expect(decision.version.description == "1.1.0")
        #expect(decision.channel == .branch("feature/login"))
    }

    @Test("tags that aren't valid SemVer are skipped and listed")
    func skipsInvalidTags() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.commit("fix: a")
        try repo.tag("v2")
        try repo.tag("v1.1.01")
        try repo.tag("release-9")
        let decision = try decide(repo)
        #expect(decision.version.description == "1.0.1")
        #expect(decision.skippedTags == ["v1.1.01", "v2"])
    }

    @Test("monorepo: the api/v prefix and --path count only that service's tags and commits")
    func monorepo() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: api", file: "api/main.go")
        try repo.commit("feat: web", file: "web/index.html")
        try repo.tag("api/v1.0.0")
        try repo.tag("web/v3.0.0")
        try repo.commit("fix(api): bug", file: "api/main.go")
        try repo.commit("feat(web): new page", file: "web/page.html")
        let policy = VersionPolicy(tagPrefix: "api/v", path: "api")
        let decision = try decide(repo, policy: policy)
        #expect(decision.version.description == "1.0.1")
        #expect(decision.tagName == "api/v1.0.1")
        #expect(decision.commits.map(\.subject) == ["fix(api): bug"])
    }

    @Test("a dirty tree is refused with a fix, or allowed with --allow-dirty")
    func dirty() throws {
        let repo = try GitRepoBuilder()
        let first = try repo.commit("feat: first", file: "a.txt")
        _ = first
        try repo.write("a.txt", "changed\n")
        #expect {
            try decide(repo)
        } throws: { error in
            (error as? BerthError)?.message.contains("--allow-dirty") == true
        }
        #expect(try decide(repo, allowDirty: true).version.description == "0.1.0")
    }

    @Test("a detached HEAD outside CI is refused unless it sits on a release tag or --branch names the branch")
    func detached() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        let second = try repo.commit("feat: second")
        try repo.checkout(second)
        #expect {
            try decide(repo)
        } throws: { error in
            (error as? BerthError)?.message.contains("--branch") == true
        }
        #expect(try decide(repo, branch: "main").version.description == "1.1.0")
        try repo.checkout("v1.0.0")
        #expect(try decide(repo).version.description == "1.0.0")
    }

    @Test("a detached HEAD in CI takes the branch from the CI variables")
    func detachedInCI() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        let second = try repo.commit("fix: second")
        try repo.checkout(second)
        let ci = CIContext.detect(environment: ["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "develop", "CI_DEFAULT_BRANCH": "main"])
        #expect(try decide(repo, ci: ci).version.description == "1.0.1-dev.1")
    }

    @Test("a shallow clone that lacks the last tag is refused with the fetch to run")
    func shallowWithoutTag() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        for n in 0..<5 { try repo.commit("fix: \(n)") }
        let clone = try repo.shallowClone(depth: 2)
        #expect {
            try decide(repo, directory: clone)
        } throws: { error in
            (error as? BerthError)?.message.contains("fetch-depth: 0") == true
        }
    }

    @Test("a shallow clone that holds the tag and everything since is handled")
    func shallowWithTag() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.commit("feat: second")
        try repo.tag("v1.0.0")
        try repo.commit("fix: a")
        let clone = try repo.shallowClone(depth: 3)
        #expect(try decide(repo, directory: clone).version.description == "1.0.1")
    }

    @Test("a shallow clone whose merged branch is cut off is refused, not miscounted")
    func shallowCutMerge() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("side")
        for n in 0..<4 { try repo.commit("feat: side \(n)") }
        try repo.checkout("main")
        try repo.commit("fix: main")
        try repo.merge("side")
        let clone = try repo.shallowClone(depth: 2)
        #expect(throws: BerthError.self) { try decide(repo, directory: clone) }
    }

    @Test("a shallow clone of a tagged commit needs no history")
    func shallowTaggedHead() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.commit("feat: second")
        try repo.tag("v3.1.4", annotated: true)
        let clone = try repo.shallowClone(depth: 1, branch: "v3.1.4")
        #expect(try decide(repo, directory: clone).version.description == "3.1.4")
    }

    @Test("an empty repository and a directory that isn't one give one-line errors")
    func emptyAndMissing() throws {
        let repo = try GitRepoBuilder()
        #expect {
            try decide(repo)
        } throws: { error in
            (error as? BerthError)?.message.contains("no commits yet") == true
        }
        let outside = repo.path + "/.."
        #expect {
            try decide(repo, directory: outside)
        } throws: { error in
            (error as? BerthError)?.message.contains("not inside a git repository") == true
        }
    }

    @Test("branch names with shell metacharacters are data, never code")
    func hostileBranch() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.0.0")
        try repo.checkoutNewBranch("x;touch${IFS}pwned`id`$(id)")
        try repo.commit("fix: a")
        let decision = try decide(repo)
        #expect(decision.channel == .branch("x;touch${IFS}pwned`id`$(id)"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/pwned"))
    }
}

@Suite("CI tag pipelines")
struct CITagPipelineTests {
    @Test("a tag pipeline for a pre-release tag builds exactly that pre-release")
    func prereleaseTagPipeline() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.tag("v1.2.0")
        let rc = try repo.commit("feat: next")
        try repo.tag("v1.3.0-rc.1", annotated: true)
        try repo.checkout(rc)
        let ci = CIContext.detect(environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/tags/v1.3.0-rc.1",
        ])
        let git = try GitRepository(directory: repo.path, environment: repo.environment)
        let decision = try VersionService(git: git).decide(VersionRequest(ci: ci))
        #expect(decision.version.description == "1.3.0-rc.1")
        #expect(decision.reason == .headTagged("v1.3.0-rc.1"))
    }
}
