import BerthCore
import Foundation

/// The outcome of a command run by tests.
public struct ShellResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// Throws when the command failed.
    @discardableResult
    public func check() throws -> ShellResult {
        guard status == 0 else { throw ShellError(command: "command", status: status, stderr: stderr) }
        return self
    }
}

public struct ShellError: Error, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let stderr: String
    public var description: String { "\(command) exited \(status): \(stderr)" }
}

/// Runs programs for tests with an argument vector, a directory, an environment and optional stdin.
public enum Shell {
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil,
        replaceEnvironment: Bool = false, stdin: String? = nil
    ) throws -> ShellResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment {
            process.environment =
                replaceEnvironment
                ? environment : ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let errData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errData.withLock { $0 = data }
            group.leave()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ShellResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: errData.current, as: UTF8.self))
    }
}
