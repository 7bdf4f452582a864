import BerthCore
import BerthProcess
import Foundation

/// Runs a driver's commands (buildah, podman, docker) one after another, in the project directory.
public struct DriverRunner: Sendable {
    public let directory: String
    public let environment: [String: String]

    public init(directory: String, environment: [String: String]) {
        self.directory = directory
        self.environment = environment
    }

    /// Runs each command; the first failure stops the rest and reports the tool's output.
    public func run(_ invocation: DockerfileDriver.Invocation, echo: (String) -> Void) throws {
        for command in invocation.commands {
            guard let tool = command.first, let executable = ProcessRunner.locate(tool) else {
                throw BerthError(
                    .failure, "'\(command.first ?? "")' was not found on PATH: install it or choose another --driver")
            }
            echo(command.joined(separator: " "))
            let output = try ProcessRunner.run(
                executable, Array(command.dropFirst()), environment: environment, directory: directory)
            guard output.status == 0 else {
                let text = (output.stderrText + output.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
                throw BerthError(
                    .failure,
                    "\(text)\n\(tool) failed (exit \(output.status)) running '\(command.prefix(3).joined(separator: " "))…'; fix the error above"
                )
            }
        }
    }
}
