import BerthCore
import BerthProcess
import Foundation

/// `HistoryFetcher` over `git ls-remote` and `git fetch`: just enough history and tags for `--deepen`.
///
/// Fetches name commits, never the remote's refspec (that would bring every branch, each with its whole
/// history), pass `--no-tags` (a tag whose commit isn't here brings its history too) and keep
/// submodules out. Credentials are never asked for: terminal prompts are off, stdin is /dev/null.
extension GitRepository: HistoryFetcher {
    /// Refspecs (one per tag) per `git fetch`, keeping each argument vector far below the system's limit.
    static let tagsPerFetch = 500

    public func tagsOnRemote(_ remote: String) throws -> [GitTagRef] {
        try requireRemote(remote)
        let output = try fetchRun(["ls-remote", "--tags", "--", remote])
        return Self.tagRefs(lsRemote: output)
    }

    public func fetch(_ step: DeepenStep, from remote: String, boundary: Set<String>) throws {
        let wants = boundary.sorted()
        switch step {
        case .excludeReleases(let tags):
            try fetchRun(
                ["fetch"] + Self.quietFetch + tags.map { "--shallow-exclude=refs/tags/\($0)" } + ["--", remote] + wants)
            // A merge with an excluded parent is cut whole, and git still lists its other parent (never
            // sent) as shallow, which breaks every later fetch ("error in object: unshallow …"). git prune
            // drops shallow entries whose commits are missing; --expire=never keeps every loose object.
            var edge = try shallowBoundary()
            if try presentCommits(among: edge.sorted()).count < edge.count {
                try run(["prune", "--expire=never"])
                edge = try shallowBoundary()
            }
            // The exclusion stops short of the tags' own commits: one more commit behind the new boundary.
            if !edge.isEmpty { try fetchRun(["fetch"] + Self.quietFetch + ["--deepen=1", "--", remote] + edge.sorted()) }
        case .deepen(let count):
            try fetchRun(["fetch"] + Self.quietFetch + ["--deepen=\(count)", "--", remote] + wants)
        case .unshallow:
            try fetchRun(["fetch"] + Self.quietFetch + ["--unshallow", "--", remote] + wants)
        }
    }

    public func fetchTags(_ names: [String], from remote: String) throws {
        var start = 0
        while start < names.count {
            let chunk = names[start..<min(start + Self.tagsPerFetch, names.count)]
            try fetchRun(["fetch"] + Self.quietFetch + ["--", remote] + chunk.map { "refs/tags/\($0):refs/tags/\($0)" })
            start += Self.tagsPerFetch
        }
    }

    public func presentCommits(among shas: [String]) throws -> Set<String> {
        guard !shas.isEmpty else { return [] }
        // --ignore-missing skips the absent ones; --no-walk lists just the given commits.
        let output = try run(["rev-list", "--no-walk=unsorted", "--ignore-missing"] + shas)
        return Set(lines(output).map(String.init))
    }

    /// Options of every history fetch: quiet, no tags, no submodules, no fetch of what the refspec names.
    static let quietFetch = ["--quiet", "--no-tags", "--recurse-submodules=no"]

    /// The remote must be configured: a bare name git can't resolve would be read as a path.
    func requireRemote(_ remote: String) throws {
        guard try remoteURL(remote) != nil else {
            throw BerthError(
                .failure,
                "this is a shallow clone and remote '\(remote)' is not configured, so --deepen has nothing to fetch from; add it (git remote add \(remote) URL) or name another with git.remote in berth.yaml"
            )
        }
    }

    /// Runs a command that talks to a remote; a failure names the remote and what to do.
    @discardableResult
    func fetchRun(_ arguments: [String]) throws -> ProcessOutput {
        let output = try ProcessRunner.run(
            git, ["-C", directory] + arguments,
            environment: environment.merging(["GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"]) { $1 })
        guard output.status != 0 else { return output }
        let remote = arguments.firstIndex(of: "--").map { arguments[$0 + 1] } ?? "origin"
        let lines = output.stderrText.split(separator: "\n").map { $0.replacingOccurrences(of: "fatal: ", with: "") }
        let message = Self.withoutUserInfo(lines.first { !$0.hasPrefix("warning:") } ?? "exit \(output.status)")
        throw BerthError(
            .failure,
            "can't deepen this shallow clone from remote '\(remote)': git \(arguments[0]) failed: \(message); check that the remote is reachable and readable without a prompt (git ls-remote \(remote)), or fetch the history yourself (git fetch --unshallow --tags \(remote))"
        )
    }

    /// `user:password@` taken out of any URL in git's message: CI remotes carry tokens there.
    package static func withoutUserInfo(_ text: String) -> String {
        text.replacingOccurrences(of: "://[^/@\\s']+@", with: "://", options: .regularExpression)
    }

    /// Tags and their peeled commits from `git ls-remote --tags` output.
    static func tagRefs(lsRemote output: ProcessOutput) -> [GitTagRef] {
        var peeled: [String: String] = [:]
        var direct: [(String, String)] = []
        for line in output.stdoutText.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2, fields[1].hasPrefix("refs/tags/") else { continue }
            let name = String(fields[1].dropFirst("refs/tags/".count))
            if name.hasSuffix("^{}") {
                peeled[String(name.dropLast(3))] = String(fields[0])
            } else {
                direct.append((name, String(fields[0])))
            }
        }
        return direct.map { GitTagRef(name: $0.0, commit: peeled[$0.0] ?? $0.1) }
    }
}
