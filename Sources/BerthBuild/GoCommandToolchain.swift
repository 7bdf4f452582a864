import BerthCore
import BerthProcess
import Foundation

/// The `GoToolchain` port over the real `go` command (or the wrapper berth.yaml names), run in the
/// module directory with an argument vector.
public struct GoCommandToolchain: GoToolchain {
    /// The directory `go build` runs in (the module's).
    public let directory: String
    /// The command that runs go (`go`, or a wrapper); `go version -m` goes through it too.
    public let command: [String]
    /// Added to this process's environment (tests pass GOCACHE, HOME).
    public let environment: [String: String]

    public init(directory: String, command: [String] = ["go"], environment: [String: String] = [:]) {
        self.directory = directory
        self.command = command
        self.environment = environment
    }

    public func build(_ invocation: GoBuildInvocation) async throws -> GoBinary {
        try FileManager.default.createDirectory(
            atPath: (invocation.output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let output = try run(invocation.arguments, environment: invocation.environment)
        guard output.status == 0 else {
            let compiler = (output.stderrText + output.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
            throw GoBuildFailure(arguments: invocation.arguments, status: output.status, output: compiler)
        }
        guard let data = FileManager.default.contents(atPath: invocation.output) else {
            throw BerthError(
                .failure, "go build succeeded but wrote no '\(invocation.output)': check build.main names a main package")
        }
        let version = try run(Array(command) + ["version", "-m", invocation.output], environment: [:])
        let info = version.status == 0 ? try? GoBuildInfo(parsing: version.stdoutText) : nil
        return GoBinary(contents: [UInt8](data), buildInfo: info)
    }

    /// `go version -m` of a binary built elsewhere (for its provenance); throws when go can't read it.
    public func buildInfo(ofBinary path: String) throws -> GoBuildInfo {
        let output = try run(Array(command) + ["version", "-m", "--", path], environment: [:])
        guard output.status == 0 else {
            throw BerthError(
                .badInput,
                "'go version -m' can't read '\(path)': \(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)); give a Go binary"
            )
        }
        return try GoBuildInfo(parsing: output.stdoutText)
    }

    private func run(_ arguments: [String], environment: [String: String]) throws -> ProcessOutput {
        guard let first = arguments.first else {
            throw BerthError(.usage, "build.go_command is empty: set it to [go] or a wrapper")
        }
        let executable: String
        if first.contains("/") {
            executable = first.hasPrefix("/") ? first : "\(directory)/\(first)"
        } else if let found = ProcessRunner.locate(first) {
            executable = found
        } else {
            throw BerthError(
                .failure, "'\(first)' was not found on PATH: install Go (apt-get install golang-go) or set build.go_command")
        }
        do {
            return try ProcessRunner.run(
                executable, Array(arguments.dropFirst()), environment: self.environment.merging(environment) { $1 },
                directory: directory)
        } catch let error as ProcessRunnerError {
            throw BerthError(.failure, "\(error.message): check build.go_command")
        }
    }
}

/// A `go build` that failed: the compiler's output, shown as is, then one line saying what to do.
public struct GoBuildFailure: Error, CustomStringConvertible {
    public let arguments: [String]
    public let status: Int32
    public let output: String

    public var description: String {
        "\(output)\ngo build failed (exit \(status)): '\(arguments.joined(separator: " "))'; fix the errors above and run berth build again"
    }

    public var berthError: BerthError { BerthError(.failure, description) }
}
