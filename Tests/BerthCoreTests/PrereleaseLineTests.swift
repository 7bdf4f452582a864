import BerthCore
import BerthTestSupport
import Testing

/// A version tool never proposes a version that isn't above every version tagged on HEAD's history
/// (pre-releases included), nor one a tag already has: the rules, each on a small in-memory history.
@Suite("the next version is above every version on HEAD's history")
struct PrereleaseLineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Tags on the main line, oldest first; each gets a commit of its own (`feat: …`).
        var mainTags: [String]
        /// Tags on a maintenance branch forked after the first main tag, never merged back.
        var maintenanceTags: [String] = []
        /// Commits on main after the last tag.
        var since: [String] = ["feat: more"]
        var branch = "main"
        var line = PrereleaseLine.continue
        var expected: String
        var kind: VersionAdjustment.Kind?
        var skipped: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "main tags only pre-releases above an old final: the pre-release line continues",
            mainTags: ["v21.0.0", "v22.2.0-next.1", "v22.2.0-next.4"], expected: "22.2.0-next.5",
            kind: .continuedPrereleaseLine),
        Case(
            name: "the line's next number is above every tag of that line, reachable or not",
            mainTags: ["v21.0.0", "v22.2.0-next.4"], maintenanceTags: ["v22.2.0-next.7"], expected: "22.2.0-next.8",
            kind: .continuedPrereleaseLine),
        Case(
            name: "finals on a maintenance branch don't lower main's line",
            mainTags: ["v21.0.0", "v22.2.0-next.2"], maintenanceTags: ["v21.0.1", "v21.1.0", "v21.3.0"],
            expected: "22.2.0-next.3", kind: .continuedPrereleaseLine),
        Case(
            name: "a final channel releases the first final above the pre-releases",
            mainTags: ["v21.0.0", "v22.2.0-next.4"], line: .final, expected: "22.2.0", kind: .finalAbovePrereleases),
        Case(
            name: "a breaking change that already clears the pre-releases needs no adjustment",
            mainTags: ["v21.0.0", "v21.1.0-next.3"], since: ["feat!: new API"], expected: "22.0.0"),
        Case(
            name: "a pre-release line without a number gets one",
            mainTags: ["v1.0.0", "v2.0.0-beta"], expected: "2.0.0-beta.1", kind: .continuedPrereleaseLine),
        Case(
            name: "no final yet, only pre-releases: the line continues instead of the initial version",
            mainTags: ["v1.0.0-alpha.1", "v1.0.0-alpha.2"], expected: "1.0.0-alpha.3", kind: .continuedPrereleaseLine),
        Case(
            name: "a pre-release channel is raised above a higher pre-release on its history",
            mainTags: ["v1.0.0", "v2.0.0-next.1"], since: ["fix: a"], branch: "develop", expected: "2.0.1-dev.1",
            kind: .raisedAboveHighest),
        Case(
            name: "the plain bump when nothing on the history is above it",
            mainTags: ["v1.0.0-rc.1", "v1.0.0"], since: ["fix: a"], expected: "1.0.1"),
        Case(
            name: "a version the other spelling of the prefix already tags is skipped",
            mainTags: ["v1.0.0"], maintenanceTags: ["1.1.0", "1.1.1"], expected: "1.1.2", skipped: ["1.1.0", "1.1.1"]),
        Case(
            name: "another service's prefix (a monorepo) doesn't count",
            mainTags: ["v1.0.0"], maintenanceTags: ["web/v1.1.0"], expected: "1.1.0"),
    ]

    static func history(_ c: Case) -> InMemoryGitHistory {
        var git = InMemoryGitHistory()
        var fork: String?
        for (index, tag) in c.mainTags.enumerated() {
            let sha = git.commit("feat: \(tag)")
            git.tag(tag)
            if index == 0 { fork = sha }
        }
        let mainHead = git.headSHA
        for tag in c.maintenanceTags {
            git.commit("fix: \(tag)", parents: [git.headSHA == mainHead ? fork! : git.headSHA!])
            git.tag(tag)
        }
        git.headSHA = mainHead
        for message in c.since { git.commit(message) }
        git.branch = c.branch
        git.branches = ["main", c.branch]
        return git
    }

    @Test("each rule", arguments: cases)
    func rule(_ c: Case) throws {
        var policy = VersionPolicy()
        policy.prereleaseLine = c.line
        let decision = try VersionService(git: Self.history(c)).decide(
            VersionRequest(policy: policy, defaultBranch: "main"))
        #expect(decision.version.description == c.expected)
        #expect(decision.adjustment?.kind == c.kind)
        #expect((decision.adjustment?.skipped ?? []) == c.skipped)
        if let adjustment = decision.adjustment {
            #expect(decision.explanation.contains(adjustment.explanation))
            #expect(decision.isNewVersion)
        }
    }

    @Test("the explanation names the bump, the tag above it and the rule")
    func explanation() throws {
        let c = Self.cases[0]
        let decision = try VersionService(git: Self.history(c)).decide(VersionRequest(defaultBranch: "main"))
        #expect(
            decision.explanation
                == "minor bump from v21.0.0 after 3 commits; 21.1.0 is not above 'v22.2.0-next.4' on HEAD's history: continuing its pre-release line"
        )
    }
}
