import BerthTestSupport
import Testing

@testable import BerthCore

/// The history read beside the tags must give exactly what `release..HEAD` gives, or nothing.
@Suite("HEAD's history read before the tags name the release")
struct HeadHistoryPrefetchTests {
    /// A history shape, the tags on it, and whether the walk alone can answer.
    struct Shape: CustomTestStringConvertible, Sendable {
        let name: String
        let build: @Sendable () -> InMemoryGitHistory
        let answeredByWalk: Bool
        var testDescription: String { name }
    }

    static func linear(commitsSinceRelease: Int) -> InMemoryGitHistory {
        var git = InMemoryGitHistory()
        git.commit("feat: start")
        git.tag("v1.0.0")
        git.commit("fix: one")
        git.tag("v1.0.1")
        for index in 0..<commitsSinceRelease { git.commit(index % 7 == 0 ? "feat: f\(index)" : "fix: c\(index)") }
        return git
    }

    static let shapes: [Shape] = [
        Shape(name: "a straight chain since the release", build: { linear(commitsSinceRelease: 40) }, answeredByWalk: true),
        Shape(name: "HEAD on the release", build: { linear(commitsSinceRelease: 0) }, answeredByWalk: true),
        Shape(
            name: "a merge below the release",
            build: {
                var git = InMemoryGitHistory()
                let root = git.commit("feat: start")
                let side = git.commit("fix: side", parents: [root])
                git.commit("feat: main", parents: [root])
                git.commit("chore: merge", parents: [git.headSHA!, side])
                git.tag("v1.0.0")
                git.commit("fix: after")
                git.commit("feat: later")
                return git
            }, answeredByWalk: true),
        Shape(
            name: "a merge above the release",
            build: {
                var git = linear(commitsSinceRelease: 2)
                let below = git.headSHA!
                let side = git.commit("feat!: side branch", parents: [below])
                let main = git.commit("fix: main", parents: [below])
                git.commit("chore: merge", parents: [main, side])
                git.commit("fix: after the merge")
                return git
            }, answeredByWalk: false),
        Shape(
            name: "the highest release on another branch",
            build: {
                var git = linear(commitsSinceRelease: 3)
                let mainHead = git.headSHA!
                git.commit("feat!: elsewhere")
                git.tag("v2.0.0")
                git.headSHA = mainHead
                return git
            }, answeredByWalk: false),
        Shape(
            name: "a shallow edge above the release",
            build: {
                var git = linear(commitsSinceRelease: 6)
                var edge = git.headSHA!
                for _ in 0..<3 { edge = git.commitsBySHA[edge]!.parents[0] }
                git.shallow = [edge]
                return git
            }, answeredByWalk: false),
        Shape(
            name: "no release yet",
            build: {
                var git = InMemoryGitHistory()
                git.commit("feat: start")
                git.commit("fix: more")
                return git
            }, answeredByWalk: false),
    ]

    @Test("the walk's answer is release..HEAD exactly, or the ordinary reads run", arguments: shapes)
    func sameAnswer(shape: Shape) throws {
        let git = shape.build()
        let service = VersionService(git: git)
        let catalog = TagCatalog(tags: git.tagRefs, prefix: "v")
        let head = try git.head().sha
        let expected = try service.baseAndCommits(catalog, head: head, path: nil)
        let prefetch = HeadHistoryPrefetch.start(git)
        defer { prefetch.finish() }
        let actual = try service.baseAndCommits(catalog, head: head, path: nil, prefetched: prefetch)
        #expect(actual.0 == expected.0)
        #expect(actual.1.map(\.commit) == expected.1.map(\.commit))
        if let release = catalog.releases.last?.commit {
            let walked = try service.prefetchedCommits(prefetch, since: release, head: head)
            #expect((walked != nil) == shape.answeredByWalk, "\(String(describing: walked?.count))")
        }
    }

    @Test("HEAD moved between the reads: the walk's commits aren't used")
    func headMoved() throws {
        var git = Self.linear(commitsSinceRelease: 5)
        let prefetch = HeadHistoryPrefetch.start(git)
        defer { prefetch.finish() }
        let release = git.tagRefs.last!.commit
        let walkedHead = try git.head().sha
        git.commit("fix: pushed meanwhile")
        #expect(prefetch.commits(since: release, head: try git.head().sha) == nil)
        #expect(prefetch.commits(since: release, head: walkedHead)?.count == 5)
    }

    @Test("a cancelled walk answers nil unless it had reached the release")
    func cancelled() throws {
        let git = Self.linear(commitsSinceRelease: 3)
        let prefetch = HeadHistoryPrefetch.start(git)
        prefetch.finish()
        let head = try git.head().sha
        let answer = prefetch.commits(since: git.tagRefs.last!.commit, head: head)
        // The walk may have read everything before the cancel arrived; then the answer is the whole chain.
        #expect(answer == nil || answer?.count == 3)
        #expect(prefetch.commits(since: "0000000000000000000000000000000000000bad", head: head) == nil)
    }
}
