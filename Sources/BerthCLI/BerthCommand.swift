import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

/// The root command: `berth <subcommand>`.
public struct BerthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "Versions, tags and labels for container images of services, from git history.",
        discussion:
            "Exit codes: 0 success, 1 failure (I/O, git), 3 conflict (a tag exists elsewhere), 4 blocked by "
            + "a gate, 5 approval needed, 64 usage or configuration, 65 bad input data.",
        version: BerthVersion.current,
        subcommands: [
            PlanCommand.self, VersionCommand.self, TagsCommand.self, LabelsCommand.self, CheckCommand.self,
            SemverCommand.self, RegistryCommand.self, BuildCommand.self, LintCommand.self, PinCommand.self, InitCommand.self,
            ReleaseCommand.self, GateCommand.self, ApproveCommand.self, PromoteCommand.self, PruneCommand.self,
            RollbackCommand.self, StatusCommand.self, HistoryCommand.self, DiffCommand.self,
        ])

    public init() {}

    /// Parses the process arguments, runs the command and exits with berth's exit codes: a `BerthError`
    /// prints one line on stderr, never a stack trace.
    public static func runMain(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(ExitCodes.success)
        } catch let error as BerthError {
            Terminal.writeError("berth: error: \(error.message)\n")
            Foundation.exit(ExitCodes.code(for: error.kind))
        } catch let error as ImageStoreError {
            Terminal.writeError("berth: error: \(error.message)\n")
            Foundation.exit(ExitCodes.code(for: error.berthError.kind))
        } catch let error as OCIError {
            Terminal.writeError("berth: error: \(error.description)\n")
            Foundation.exit(ExitCodes.badInput)
        } catch {
            let code = exitCode(for: error).rawValue
            // ArgumentParser's usage errors are 64 already; help and --version are 0.
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == 0 { Terminal.write(message + "\n") } else { Terminal.writeError(message + "\n") }
            }
            Foundation.exit(code)
        }
    }
}

/// berth's own version, stamped at release time.
enum BerthVersion {
    static let current = "0.1.0"
}
