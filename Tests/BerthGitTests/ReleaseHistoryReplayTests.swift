import BerthCore
import BerthGit
import BerthTestSupport
import Foundation
import Testing

/// A real project's release history replayed commit by commit: berth must predict every version the project
/// released, under the preset of the tool that released it.
@Suite("replayed release history")
struct ReleaseHistoryReplayTests {
    struct History: Decodable {
        struct Release: Decodable {
            let tag: String
            let commits: [Commit]
        }
        struct Commit: Decodable {
            let id: String
            let message: String
        }
        let base: String
        let releases: [Release]
    }

    static func history() throws -> History {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/commit-analyzer-history.json")
        return try JSONDecoder().decode(History.self, from: Data(contentsOf: url))
    }

    @Test("semantic-release/commit-analyzer v6.3.3 → v13.0.1: the semantic-release preset predicts all 15 releases")
    func commitAnalyzer() throws {
        let history = try Self.history()
        let repo = try GitRepoBuilder(branch: "master")
        defer { repo.remove() }
        try repo.commit("chore: history before \(history.base)")
        try repo.tag(history.base)
        let policy = VersionPreset.semanticRelease.applied(to: VersionPolicy())
        var shas: [String: String] = [:]
        var predicted: [String] = []
        var pairs = 0
        var loneReverts: [String] = []
        for release in history.releases {
            for commit in release.commits {
                var message = commit.message
                // A revert names the commit it reverts by its hash: the replayed commit's, here.
                for (id, sha) in shas where message.contains("{{\(id)}}") {
                    message = message.replacingOccurrences(of: "{{\(id)}}", with: sha)
                }
                #expect(!message.contains("{{"), "\(commit.id) reverts a commit outside the recorded history")
                shas[commit.id] = try repo.commit(message)
            }
            let git = try GitRepository(directory: repo.path, environment: repo.environment)
            let decision = try VersionService(git: git).decide(VersionRequest(policy: policy, ci: .local))
            pairs += decision.commits.filter { if case .reverts = $0.ruling { true } else { false } }.count
            loneReverts += decision.commits.filter { $0.explanation == "revert → patch" }.map(\.subject)
            predicted.append(decision.tagName)
            #expect(decision.tagName == release.tag, "after \(release.commits.count) commits: \(decision.explanation)")
            try repo.tag(release.tag)
        }
        #expect(predicted == history.releases.map(\.tag))
        // Three reverts of chore(deps) commits of the same release drop out in pairs; the revert of a fix(deps)
        // released in v10.0.2 counts as a revert: it alone makes v10.0.3 a patch release.
        #expect(pairs == 3)
        #expect(loneReverts == [#"Revert "fix(deps): update dependency conventional-commits-parser to v5 (#501)""#])
    }
}
