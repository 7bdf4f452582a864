import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The result of a finished process.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let stdout: Data
    public let stderr: Data
    /// The caller stopped reading standard output and ended the process before it finished.
    public var stoppedEarly = false

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program with an argument vector (never through a shell), stdin from /dev/null, and collects
/// its output.
///
/// Built on posix_spawn and poll rather than Foundation's `Process`, whose `waitUntilExit` polls a run
/// loop every 50 ms on Linux: a plan runs about ten git commands, which cost 0.4 s that way and a few
/// milliseconds this way (scripts/bench-plan.sh). swift-subprocess is async-only, and the `GitHistory`
/// port is synchronous.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, with `environment` added to this process's environment, in
    /// `directory` (default: this process's).
    ///
    /// With `onStdout`, standard output goes to it chunk by chunk as it arrives (and the result's
    /// `stdout` is empty): a caller can read a long output while the process is still writing it.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        onStdout: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) throws -> ProcessOutput {
        guard let onStdout else {
            return try run(executable, arguments, environment: environment, directory: directory, stdoutWhile: nil)
        }
        return try run(
            executable, arguments, environment: environment, directory: directory,
            stdoutWhile: { chunk in
                onStdout(chunk)
                return true
            })
    }

    /// Like `run(_:_:environment:directory:onStdout:)`, but `stdoutWhile` says whether it wants more: once
    /// it returns false the process is ended (SIGTERM) rather than read to the end, and the result's
    /// `stoppedEarly` is set (its status is then the signal's, 128 + 15, or the process's own if it had
    /// finished).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        stdoutWhile: ((UnsafeRawBufferPointer) -> Bool)?
    ) throws -> ProcessOutput {
        let out = try makePipe()
        let err = try makePipe()
        defer { for fd in [out.read, err.read] { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        if let directory {
            guard let addChdir = Self.addChdir else {
                throw ProcessRunnerError(
                    message:
                        "can't run '\(executable)' in '\(directory)': this C library lacks posix_spawn_file_actions_addchdir_np")
            }
            _ = addChdir(&actions, directory)
        }

        let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(env.map { "\($0.key)=\($0.value)" }.sorted())
        var pid = pid_t()
        // The child starts with no signal blocked and SIGPIPE and SIGTERM at their defaults, as from a
        // shell: it would otherwise inherit the spawning thread's mask (a runtime thread may block
        // SIGTERM) and the runtime's ignored SIGPIPE, and a process ended early would never end.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        close(out.write)
        close(err.write)
        guard spawned == 0 else {
            throw ProcessRunnerError(message: "can't run '\(executable)': \(String(cString: strerror(spawned)))")
        }
        let (stdout, stderr, stopped) = drain(out.read, err.read, onStdout: stdoutWhile) { _ = kill(pid, SIGTERM) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift can't import as macros; a signal reads as 128 + signal.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessOutput(status: code, stdout: stdout, stderr: stderr, stoppedEarly: stopped)
    }

    /// Reads both pipes to their end, whichever has data, so a chatty process can't stall on one.
    /// Standard output stops being read once `onStdout` returns false: `stop` ends the process, and what
    /// it still writes to standard error is read to the end. The flag says whether that happened.
    private static func drain(
        _ outFD: Int32, _ errFD: Int32, onStdout: ((UnsafeRawBufferPointer) -> Bool)?, stop: () -> Void
    ) -> (Data, Data, Bool) {
        var buffers = [Data(), Data()]
        var fds = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0), pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var stopped = false
        var chunk = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0, index == 0, let onStdout {
                    let more = chunk.withUnsafeBytes { onStdout(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    if !more {
                        // The descriptor itself is closed by run's defer; poll just stops watching it.
                        stop()
                        stopped = true
                        fds[index].fd = -1
                        open -= 1
                    }
                } else if count > 0 {
                    buffers[index].append(contentsOf: chunk[0..<count])
                } else if count == 0 || errno != EINTR {
                    fds[index].fd = -1
                    open -= 1
                }
            }
        }
        return (buffers[0], buffers[1], stopped)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        // Close-on-exec, so only the dup2'd copies reach the child; atomically where the C library can
        // (pipe2): a process another thread spawns in between would hold the write end open, and this
        // reader would wait for that process to end too.
        let created = Self.pipe2.map { $0(&fds, O_CLOEXEC) } ?? pipe(&fds)
        guard created == 0 else {
            throw ProcessRunnerError(message: "can't create a pipe: \(String(cString: strerror(errno)))")
        }
        if Self.pipe2 == nil { for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        return (fds[0], fds[1])
    }

    /// glibc has it, but Swift's Glibc module doesn't export it: look it up.
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private static let pipe2: Pipe2? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    /// glibc 2.29+ and macOS 10.15+ have it, but Swift's Glibc module doesn't export it: look it up.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    /// The absolute path of `name` on PATH, or nil.
    public static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

public struct ProcessRunnerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A NULL-terminated array of C strings that lives as long as this value.
private final class CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
        pointers[strings.count] = nil
    }

    deinit {
        for index in 0..<count { free(pointers[index]) }
        pointers.deallocate()
    }
}
