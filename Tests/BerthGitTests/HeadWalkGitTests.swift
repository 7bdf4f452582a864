import BerthProcess
import BerthTestSupport
import Foundation
import Testing

@testable import BerthCore
@testable import BerthGit

/// `walkFromHead` on real git, and the version decision that reads history beside the tags.
@Suite("HEAD's history walked with real git, stopped where the reader says")
struct HeadWalkGitTests {
    @Test("the walk gives git log's order, parent counts (root 0, merge 2) and whole messages")
    func walk() throws {
        let repo = try GitRepoBuilder()
        let root = try repo.commit("feat: start")
        try repo.checkoutNewBranch("side")
        let side = try repo.commit("fix: side\n\nwith a body\nof two lines")
        try repo.checkout("main")
        let main = try repo.commit("feat: main")
        let merge = try repo.merge("side")
        let top = try repo.commit("docs: after")
        let git = try GitRepository(directory: repo.path, environment: repo.environment)
        var walked: [(String, Int, String)] = []
        try git.walkFromHead { commit, parents in
            walked.append((commit.sha, parents, commit.message))
            return true
        }
        let expected = try repo.git("log", "--format=%H", "HEAD").split(separator: "\n").map(String.init)
        #expect(walked.map(\.0) == expected)
        let parents = Dictionary(uniqueKeysWithValues: walked.map { ($0.0, $0.1) })
        #expect(parents == [top: 1, merge: 2, main: 1, side: 1, root: 0])
        #expect(walked.first { $0.0 == side }?.2 == "fix: side\n\nwith a body\nof two lines\n")
    }

    @Test("a reader that has enough ends the walk: git is stopped, not read to the end")
    func stopsEarly() throws {
        let repo = try GitRepoBuilder()
        for index in 0..<12 { try repo.commit("fix: \(index)") }
        let git = try GitRepository(directory: repo.path, environment: repo.environment)
        var count = 0
        try git.walkFromHead { _, _ in
            count += 1
            return count < 3
        }
        #expect(count == 3)
    }

    // Without the child's signal mask reset, SIGTERM stayed blocked in `yes` and this never returned.
    @Test("a process that never ends is ended once its reader returns false", .timeLimit(.minutes(1)))
    func endlessProcess() throws {
        var chunks = 0
        let output = try ProcessRunner.run(
            "/usr/bin/yes", ["berth"],
            stdoutWhile: { _ in
                chunks += 1
                return chunks < 2
            })
        #expect(output.stoppedEarly && chunks == 2)
        #expect(output.status == 128 + 15 || output.status == 128 + 13, "SIGTERM or SIGPIPE, got \(output.status)")
    }

    @Test("real git: the release below a merge, above one, and on another branch plan as they did without the walk")
    func sameDecisions() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: start")
        try repo.tag("v1.0.0", annotated: true)
        try repo.checkoutNewBranch("side")
        try repo.commit("feat!: side")
        try repo.checkout("main")
        try repo.commit("fix: main")
        try repo.tag("v1.0.1")
        try repo.merge("side")  // above v1.0.1: the walk can't answer, the ordinary reads do
        try repo.commit("fix: after")
        let git = try GitRepository(directory: repo.path, environment: repo.environment)
        let service = VersionService(git: git)
        func compare() throws {
            let catalog = TagCatalog(tags: try git.tags(), prefix: "v")
            let head = try git.head().sha
            let prefetch = HeadHistoryPrefetch.start(git)
            defer { prefetch.finish() }
            let walked = try service.baseAndCommits(catalog, head: head, path: nil, prefetched: prefetch)
            let ordinary = try service.baseAndCommits(catalog, head: head, path: nil)
            #expect(walked.0 == ordinary.0 && walked.1.map(\.commit) == ordinary.1.map(\.commit))
        }
        try compare()
        try repo.tag("v2.0.0")  // on the merge's child: a straight chain of nothing
        try repo.commit("feat: next")
        try compare()
        try repo.checkoutNewBranch("other")
        try repo.commit("feat!: elsewhere")
        try repo.tag("v3.0.0")
        try repo.checkout("main")  // the highest release isn't HEAD's ancestor
        try compare()
        #expect(try service.decide(VersionRequest(policy: VersionPolicy(), ci: .local)).version.description == "2.1.0")
    }
}
