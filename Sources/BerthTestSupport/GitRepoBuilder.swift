import BerthCore
import Foundation

/// Builds real git repositories in temporary directories for tests, hermetically: no global or system
/// config, HOME in the temp dir, fixed author and committer dates (one minute apart), fixed identity.
public final class GitRepoBuilder: Sendable {
    /// The work tree.
    public let path: String
    /// The environment every git call here uses; pass it to adapters and the CLI under test.
    public let environment: [String: String]
    /// The next commit's time; each commit moves it a minute on, each tag a second.
    private let clock: Locked<Int64>

    /// A fresh repository on `branch` (default `main`), starting its clock at 2024-01-01T00:00:00Z.
    public init(branch: String = "main", start: Int64 = 1_704_067_200) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        path = root.appendingPathComponent("repo").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        environment = GitRepoBuilder.hermeticEnvironment(home: root.path)
        clock = Locked(start)
        try git("init", "-q", "-b", branch)
    }

    /// Variables that make git ignore the machine's configuration.
    public static func hermeticEnvironment(home: String) -> [String: String] {
        [
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": home, "XDG_CONFIG_HOME": home,
            "GIT_AUTHOR_NAME": "Berth Test", "GIT_AUTHOR_EMAIL": "test@berth.invalid",
            "GIT_COMMITTER_NAME": "Berth Test", "GIT_COMMITTER_EMAIL": "test@berth.invalid",
            "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
        ]
    }

    /// Runs git in the repository; throws with its stderr when it fails.
    @discardableResult
    public func git(_ arguments: String...) throws -> String { try git(arguments) }

    @discardableResult
    public func git(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> String {
        let result = try Shell.run(
            "/usr/bin/env", ["git"] + arguments, directory: path, environment: environment.merging(extraEnvironment) { $1 })
        guard result.status == 0 else {
            throw ShellError(command: "git \(arguments.joined(separator: " "))", status: result.status, stderr: result.stderr)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits `message`, touching `file` (default: a file named after the commit count) so the tree changes.
    @discardableResult
    public func commit(_ message: String, file: String? = nil, content: String? = nil) throws -> String {
        let time = clock.withLock { clock in
            clock += 60
            return clock
        }
        let name = file ?? "file-\(time).txt"
        let url = URL(fileURLWithPath: path).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((content ?? "\(message)\n\(time)\n").utf8).write(to: url)
        try git(["add", "--", name])
        let date = "@\(time) +0000"
        try git(["commit", "-q", "-m", message], extraEnvironment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
        return try git("rev-parse", "HEAD")
    }

    /// Tags HEAD (or `commit`); annotated with a message when `annotated`.
    public func tag(_ name: String, at commit: String? = nil, annotated: Bool = false) throws {
        let time = clock.withLock { clock in
            clock += 1
            return clock
        }
        let date = "@\(time) +0000"
        var arguments = ["tag"]
        if annotated { arguments += ["-a", "-m", "release \(name)"] }
        arguments.append(name)
        if let commit { arguments.append(commit) }
        try git(arguments, extraEnvironment: ["GIT_COMMITTER_DATE": date])
    }

    /// Creates and checks out `branch`.
    public func checkoutNewBranch(_ branch: String) throws { try git("checkout", "-q", "-b", branch) }

    public func checkout(_ ref: String) throws { try git("checkout", "-q", ref) }

    /// Merges `branch` into the current branch with a merge commit.
    @discardableResult
    public func merge(_ branch: String, message: String? = nil) throws -> String {
        let time = clock.withLock { clock in
            clock += 60
            return clock
        }
        let date = "@\(time) +0000"
        try git(
            ["merge", "-q", "--no-ff", "-m", message ?? "Merge branch '\(branch)'", branch],
            extraEnvironment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
        return try git("rev-parse", "HEAD")
    }

    /// Writes a file without committing it (to make the tree dirty, or to add config).
    public func write(_ file: String, _ content: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    /// A bare clone next to this repository, usable as a remote.
    public func makeBareRemote(name: String = "origin") throws -> String {
        let remote = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("\(name).git").path
        try Shell.run("/usr/bin/env", ["git", "clone", "-q", "--bare", path, remote], directory: path, environment: environment)
            .check()
        try git("remote", "add", name, remote)
        return remote
    }

    /// A shallow clone of this repository with `depth` commits, via the file:// transport.
    public func shallowClone(depth: Int, branch: String? = nil, noTags: Bool = false) throws -> String {
        let target = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("shallow-\(UUID().uuidString)")
            .path
        var arguments = ["git", "clone", "-q", "--depth", String(depth)]
        if let branch { arguments += ["--branch", branch] }
        if noTags { arguments.append("--no-tags") }
        arguments += ["file://\(path)", target]
        try Shell.run("/usr/bin/env", arguments, directory: path, environment: environment).check()
        return target
    }

    /// Removes the temporary directory.
    public func remove() {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    deinit { remove() }
}
