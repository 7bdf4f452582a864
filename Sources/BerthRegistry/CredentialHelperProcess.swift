import BerthCore
import Foundation

/// Runs a docker-credential helper with a time limit: a helper waiting on a locked keychain, a prompt
/// nobody sees or a dead daemon must not hang berth. Past the limit the helper is killed (its whole
/// process group, when it leads one, so a script's children go too) and nothing is returned.
enum CredentialHelperProcess {
    struct Outcome {
        let status: Int32
        let output: Data
    }

    /// `path arguments…` with `input` on stdin; stdout collected, stderr dropped. Nil when it didn't finish,
    /// output closed, within `timeout`.
    static func run(path: String, arguments: [String], input: Data, timeout: Duration) throws -> Outcome? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let output = Locked(Data())
        let read = DispatchSemaphore(value: 0)
        let reader = stdout.fileHandleForReading
        // Read on another thread so the limit holds while the helper keeps stdout open.
        Thread.detachNewThread {
            let data = reader.readDataToEndOfFile()
            output.withLock { $0 = data }
            read.signal()
        }
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let deadline = DispatchTime.now() + seconds
        guard exited.wait(timeout: deadline) == .success, read.wait(timeout: deadline) == .success else {
            stop(process)
            return nil
        }
        return Outcome(status: process.terminationStatus, output: output.current)
    }

    /// SIGKILL to the helper's process group when it leads one (Foundation starts children in their own
    /// group on Linux), else to the helper alone.
    private static func stop(_ process: Process) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }
        if getpgid(pid) == pid { kill(-pid, SIGKILL) } else { kill(pid, SIGKILL) }
    }
}
