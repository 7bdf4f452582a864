import BerthCore
import BerthProcess
import Foundation

/// A git repository on disk, read with the `git` command: the live `GitHistory`.
///
/// Every call is an argument vector (branch and tag names never reach a shell), with terminal prompts
/// off so a remote asking for credentials fails instead of hanging a CI job.
public struct GitRepository: GitHistory {
    /// The working directory git runs in.
    public let directory: String
    let git: String
    /// Variables added to git's environment (tests pass a hermetic configuration).
    let environment: [String: String]

    /// Opens the repository containing `directory`. Throws when git isn't installed.
    public init(directory: String, environment: [String: String] = [:]) throws {
        guard let git = ProcessRunner.locate("git") else {
            throw BerthError(.failure, "git is not installed or not on PATH; install it (apt-get install git) and retry")
        }
        self.directory = directory
        self.git = git
        self.environment = environment.merging(["GIT_TERMINAL_PROMPT": "0"]) { _, new in new }
    }

    /// Runs git; a failure throws with git's own message unless `allowFailure`.
    func run(_ arguments: [String], allowFailure: Bool = false) throws -> ProcessOutput {
        let output = try ProcessRunner.run(git, ["-C", directory] + arguments, environment: environment)
        if output.status != 0 && !allowFailure { throw failure(arguments, output) }
        return output
    }

    func failure(_ arguments: [String], _ output: ProcessOutput) -> BerthError {
        let message = output.stderrText.split(separator: "\n").first.map(String.init) ?? "exit \(output.status)"
        if message.contains("not a git repository") {
            return BerthError(
                .failure, "'\(directory)' is not inside a git repository; run berth in a git checkout or pass -C DIR")
        }
        if message.contains("dubious ownership") {
            return BerthError(
                .failure,
                "git refuses '\(directory)' (dubious ownership); run: git config --global --add safe.directory '\(directory)'")
        }
        return BerthError(
            .failure, "git \(arguments.first ?? "") failed: \(message.replacingOccurrences(of: "fatal: ", with: ""))")
    }

    func lines(_ output: ProcessOutput) -> [Substring] {
        output.stdoutText.split(separator: "\n", omittingEmptySubsequences: true)
    }

    public func head() throws -> GitHead {
        // HEAD's commit and time in one read; on failure, tell "no repository" from "no commit yet".
        let output = try run(["log", "-1", "--no-show-signature", "--format=%H %ct", "HEAD", "--"], allowFailure: true)
        guard output.status == 0 else {
            _ = try run(["rev-parse", "--git-dir"])
            throw BerthError(
                .failure, "the repository at '\(directory)' has no commits yet; commit something first (git commit)")
        }
        let fields = output.stdoutText.split(separator: " ")
        guard fields.count == 2, let time = Int64(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BerthError(
                .failure, "git log printed '\(output.stdoutText.prefix(80))' for HEAD; check the repository with git fsck")
        }
        let symbolic = try run(["symbolic-ref", "-q", "HEAD"], allowFailure: true)
        let ref = symbolic.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let branch = symbolic.status == 0 ? ref.replacingOccurrences(of: "refs/heads/", with: "", options: .anchored) : nil
        return GitHead(sha: String(fields[0]), branch: branch, commitTime: time)
    }

    public func tags() throws -> [GitTagRef] {
        // show-ref reads packed-refs' peeled lines; for-each-ref's %(*objectname) opens every tag object
        // and is several times slower with thousands of tags. Exit 1 means "no tags".
        // Lines are read as bytes while show-ref writes them: thousands of tags made String splitting
        // and lookups a visible cost (bench-plan.sh). An annotated tag's peeled line follows its own.
        var refs: [GitTagRef] = []
        var peeledElsewhere: [String: String] = [:]
        let prefix = Array("refs/tags/".utf8)
        let peeledSuffix = Array("^{}".utf8)
        func take(_ line: UnsafeRawBufferPointer) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return }
            let ref = line[(space + 1)...]
            guard ref.starts(with: prefix) else { return }
            let sha = String(decoding: line[..<space], as: UTF8.self)
            let name = ref.dropFirst(prefix.count)
            if name.count > 3 && name.suffix(3).elementsEqual(peeledSuffix) {
                let tag = name.dropLast(3)
                if let last = refs.last, last.name.utf8.elementsEqual(tag) {
                    refs[refs.count - 1] = GitTagRef(name: last.name, commit: sha)
                } else {
                    peeledElsewhere[String(decoding: tag, as: UTF8.self)] = sha
                }
            } else {
                refs.append(GitTagRef(name: String(decoding: name, as: UTF8.self), commit: sha))
            }
        }
        var stream = FieldStream(separator: UInt8(ascii: "\n"))
        let arguments = ["show-ref", "--tags", "--dereference"]
        let output = try ProcessRunner.run(git, ["-C", directory] + arguments, environment: environment) { chunk in
            stream.feed(chunk, take)
        }
        guard output.status == 0 else {
            if output.status == 1 && output.stderr.isEmpty { return [] }
            throw failure(arguments, output)
        }
        stream.finish(take)
        guard !peeledElsewhere.isEmpty else { return refs }
        return refs.map { GitTagRef(name: $0.name, commit: peeledElsewhere[$0.name] ?? $0.commit) }
    }

    public func isAncestor(_ commit: String, of head: String) throws -> Bool {
        let output = try run(["merge-base", "--is-ancestor", commit, head], allowFailure: true)
        if output.status > 1 { throw failure(["merge-base"], output) }
        return output.status == 0
    }

    public func tagsMerged(into head: String) throws -> Set<String> {
        Set(lines(try run(["for-each-ref", "--merged=\(head)", "--format=%(refname:strip=2)", "refs/tags"])).map(String.init))
    }

    public func commits<Read>(
        from base: String?, to head: String, path: String?, reading read: (GitCommit) -> Read
    ) throws -> [Read] {
        var arguments = ["log", "-z", "--no-show-signature", "--no-color", "--format=%H%x00%B"]
        arguments.append(base.map { "\($0)..\(head)" } ?? head)
        // Paths in berth.yaml are relative to the repository root, wherever berth runs.
        if let path { arguments += ["--", ":(top)\(path)"] }
        // Fields alternate: SHA, message. Each commit is read as git writes it.
        var commits: [Read] = []
        var sha: String?
        var stream = FieldStream(separator: 0)
        return try withoutActuallyEscaping(read) { read in
            func take(_ field: UnsafeRawBufferPointer) {
                if let current = sha {
                    commits.append(read(GitCommit(sha: current, message: String(decoding: field, as: UTF8.self))))
                    sha = nil
                } else {
                    sha = GitOutputFields.trimmedText(field)
                }
            }
            let output = try ProcessRunner.run(git, ["-C", directory] + arguments, environment: environment) { chunk in
                stream.feed(chunk, take)
            }
            if output.status != 0 { throw failure(arguments, output) }
            stream.finish(take)
            return commits
        }
    }

    public func walkFromHead(reading read: (GitCommit, _ parentCount: Int) -> Bool) throws {
        let arguments = ["log", "-z", "--no-show-signature", "--no-color", "--format=%H%x00%P%x00%B", "HEAD", "--"]
        // Fields cycle: SHA, parents (space-separated), message.
        var sha: String?
        var parents: Int?
        var wanted = true
        var stream = FieldStream(separator: 0)
        try withoutActuallyEscaping(read) { read in
            func take(_ field: UnsafeRawBufferPointer) {
                guard wanted else { return }
                if let current = sha, let count = parents {
                    wanted = read(GitCommit(sha: current, message: String(decoding: field, as: UTF8.self)), count)
                    (sha, parents) = (nil, nil)
                } else if sha != nil {
                    parents = GitOutputFields.trimmedText(field).split(separator: " ").count
                } else {
                    sha = GitOutputFields.trimmedText(field)
                }
            }
            let output = try ProcessRunner.run(
                git, ["-C", directory] + arguments, environment: environment,
                stdoutWhile: { chunk in
                    stream.feed(chunk, take)
                    return wanted
                })
            if output.stoppedEarly { return }
            if output.status != 0 { throw failure(arguments, output) }
            stream.finish(take)
        }
    }

    public func shallowBoundary() throws -> Set<String> {
        let output = lines(try run(["rev-parse", "--is-shallow-repository", "--git-path", "shallow"]))
        guard output.first == "true", output.count > 1 else { return [] }
        var path = String(output[1])
        if !path.hasPrefix("/") { path = directory + "/" + path }
        let content = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Set(content.split(separator: "\n").map(String.init))
    }

    public func hasUncommittedChanges() throws -> Bool {
        !(try run(["status", "--porcelain", "--untracked-files=no"]).stdout.isEmpty)
    }

    public func remoteDefaultBranch() throws -> String? {
        let output = try run(["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"], allowFailure: true)
        guard output.status == 0 else { return nil }
        let name = output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.hasPrefix("origin/") ? String(name.dropFirst("origin/".count)) : name
    }

    public func hasBranch(_ name: String) throws -> Bool {
        try run(["show-ref", "--verify", "-q", "refs/heads/\(name)"], allowFailure: true).status == 0
    }

    public func remoteTags(remote: String) throws -> [GitTagRef] {
        let output = try run(["ls-remote", "--tags", "--", remote], allowFailure: true)
        guard output.status == 0 else {
            let message = output.stderrText.split(separator: "\n").first.map(String.init) ?? "exit \(output.status)"
            throw BerthError(
                .failure,
                "can't list tags on remote '\(remote)': \(message.replacingOccurrences(of: "fatal: ", with: "")); fix access or pass --offline to skip the remote check"
            )
        }
        return Self.tagRefs(lsRemote: output)
    }

    public func remoteURL(_ remote: String) throws -> String? {
        // The configured URL, not `remote get-url`, which applies local insteadOf rewrites.
        let output = try run(["config", "--get", "remote.\(remote).url"], allowFailure: true)
        let url = output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return output.status == 0 && !url.isEmpty ? url : nil
    }
}
