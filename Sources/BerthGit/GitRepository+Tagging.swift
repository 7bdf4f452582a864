import BerthCore
import Foundation

extension GitRepository {
    /// Creates the annotated tag `name` at `commit`. Already there at that commit (a re-run, or a
    /// concurrent run of the same release) is success; at another commit it is a conflict.
    public func createAnnotatedTag(_ name: String, at commit: String, message: String) throws {
        for attempt in 1...20 {
            if let existing = try tagCommit(name) {
                guard existing == commit else {
                    throw BerthError(
                        .conflict,
                        "git tag '\(name)' already exists at \(existing.prefix(12)), not \(commit.prefix(12)): this version was released from another commit"
                    )
                }
                return
            }
            let output = try run(["tag", "-a", "-m", message, "--", name, commit], allowFailure: true)
            if output.status == 0 { return }
            // Another process may hold the ref lock or have just created it: look again.
            if attempt == 20 { throw failure(["tag"], output) }
            usleep(50_000)
        }
    }

    /// The commit a local tag points at, nil when there is none.
    public func tagCommit(_ name: String) throws -> String? {
        let output = try run(["rev-parse", "-q", "--verify", "refs/tags/\(name)^{commit}"], allowFailure: true)
        let sha = output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return output.status == 0 && !sha.isEmpty ? sha : nil
    }

    /// Pushes tag `name` to `remote`. Already on the remote at the same commit is success (a concurrent
    /// run pushed it first); at another commit it is a conflict.
    public func pushTag(_ name: String, remote: String, commit: String) throws {
        let output = try run(["push", "--quiet", "--", remote, "refs/tags/\(name):refs/tags/\(name)"], allowFailure: true)
        if output.status == 0 { return }
        let remoteCommit = try remoteTags(remote: remote).first { $0.name == name }?.commit
        if remoteCommit == commit { return }
        if let remoteCommit {
            throw BerthError(
                .conflict,
                "git tag '\(name)' on '\(remote)' points at \(remoteCommit.prefix(12)), not \(commit.prefix(12)): this version was released from another commit"
            )
        }
        throw failure(["push"], output)
    }
}

extension GitRepository {
    /// Whether `file` differs from HEAD (staged or not).
    public func hasUncommittedChanges(_ file: String) throws -> Bool {
        // `status`, not `diff HEAD`: a file git doesn't track yet (a first canary manifest) is a change too.
        !(try run(["status", "--porcelain", "--untracked-files=all", "--", file]).stdout.isEmpty)
    }

    /// Commits `files` (paths relative to the repository) with `message`; nothing else staged is
    /// committed. Another process holding the index lock is waited for; if it committed the same
    /// changes meanwhile, there is nothing left to commit and HEAD is returned.
    public func commit(files: [String], message: String) throws -> String {
        for attempt in 1...40 {
            let added = try run(["add", "--"] + files, allowFailure: true)
            let output =
                added.status == 0 ? try run(["commit", "-q", "-m", message, "--"] + files, allowFailure: true) : added
            if output.status == 0 { break }
            if try files.allSatisfy({ try !hasUncommittedChanges($0) }) { break }
            guard output.stderrText.contains("index.lock"), attempt < 40 else {
                throw failure(added.status == 0 ? ["commit"] : ["add"], output)
            }
            usleep(50_000)
        }
        return try run(["rev-parse", "HEAD"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension GitRepository: GitWriter {}
