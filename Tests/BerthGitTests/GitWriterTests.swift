import BerthCore
import BerthGit
import BerthTestSupport
import Foundation
import Testing

/// The write side of git (`GitWriter`) on real repositories: idempotent for re-runs, a conflict at
/// another commit, and user-derived arguments never read as options.
@Suite("git writes")
struct GitWriterTests {
    static func repository() throws -> (GitRepoBuilder, GitRepository, String) {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        let remote = repo.path + "/../remote-\(UUID().uuidString).git"
        try Shell.run("/usr/bin/git", ["init", "-q", "--bare", remote], environment: repo.environment).check()
        try repo.git("remote", "add", "origin", remote)
        return (repo, try GitRepository(directory: repo.path, environment: repo.environment), remote)
    }

    @Test("an annotated tag and its push are idempotent at the same commit and a conflict at another")
    func tags() throws {
        let (repo, git, remote) = try Self.repository()
        let first = try repo.git("rev-parse", "HEAD")
        try git.createAnnotatedTag("v1.0.0", at: first, message: "Release 1.0.0")
        try git.createAnnotatedTag("v1.0.0", at: first, message: "Release 1.0.0")
        try git.pushTag("v1.0.0", remote: "origin", commit: first)
        try git.pushTag("v1.0.0", remote: "origin", commit: first)
        #expect(try git.remoteTags(remote: "origin") == [GitTagRef(name: "v1.0.0", commit: first)])
        let second = try repo.commit("fix: second")
        let local = #expect(throws: BerthError.self) { try git.createAnnotatedTag("v1.0.0", at: second, message: "x") }
        #expect(local?.kind == .conflict)
        try Shell.run("/usr/bin/git", ["-C", remote, "tag", "-f", "v2.0.0", first], environment: repo.environment).check()
        try git.createAnnotatedTag("v2.0.0", at: second, message: "Release 2.0.0")
        let pushed = #expect(throws: BerthError.self) { try git.pushTag("v2.0.0", remote: "origin", commit: second) }
        #expect(pushed?.kind == .conflict && pushed?.message.contains("released from another commit") == true)
    }

    @Test("a remote name that looks like an option is a remote name, never an option of git")
    func remoteIsNotAnOption() throws {
        let (repo, git, _) = try Self.repository()
        let head = try repo.git("rev-parse", "HEAD")
        try git.createAnnotatedTag("v1.0.0", at: head, message: "Release 1.0.0")
        // Read as an option, `--version` would make `git push` print its version and succeed.
        #expect(throws: BerthError.self) { try git.pushTag("v1.0.0", remote: "--version", commit: head) }
    }

    @Test("committing deploy files commits only them; a commit another process already made leaves nothing to do")
    func commits() throws {
        let (repo, git, _) = try Self.repository()
        try repo.write("k8s/kustomization.yaml", "images: []\n")
        try repo.write("notes.txt", "not mine\n")
        try repo.git("add", "k8s/kustomization.yaml", "notes.txt")
        try repo.commit("chore: manifests")
        try repo.write("k8s/kustomization.yaml", "images:\n- name: api\n")
        try repo.write("notes.txt", "still not mine\n")
        #expect(try git.hasUncommittedChanges("k8s/kustomization.yaml"))
        let commit = try git.commit(files: ["k8s/kustomization.yaml"], message: "chore(deploy): dev runs 1.0.0")
        #expect(try repo.git("rev-parse", "HEAD") == commit)
        #expect(try repo.git("show", "--name-only", "--format=", "HEAD") == "k8s/kustomization.yaml")
        #expect(try git.hasUncommittedChanges("notes.txt"), "a file not named stays uncommitted")
        // The same change already committed (by a racing run): nothing to commit, HEAD comes back.
        #expect(try git.commit(files: ["k8s/kustomization.yaml"], message: "again") == commit)
    }

    @Test("a file git doesn't track yet is an uncommitted change, and committing it adds it")
    func untrackedFile() throws {
        let (repo, git, _) = try Self.repository()
        #expect(try !git.hasUncommittedChanges("deploy/prod/api-canary.yaml"), "a file that doesn't exist is no change")
        try repo.write("deploy/prod/api-canary.yaml", "kind: Ingress\n")
        #expect(try git.hasUncommittedChanges("deploy/prod/api-canary.yaml"))
        let commit = try git.commit(files: ["deploy/prod/api-canary.yaml"], message: "chore(canary): 10 %")
        #expect(try repo.git("show", "--name-only", "--format=", commit) == "deploy/prod/api-canary.yaml")
        #expect(try !git.hasUncommittedChanges("deploy/prod/api-canary.yaml"))
    }
}
