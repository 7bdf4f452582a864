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
        // The groups of DESIGN.md's command line: plan, registry, build, lifecycle.
        groupedSubcommands: [
            CommandGroup(
                name: "Plan",
                subcommands: [
                    PlanCommand.self, VersionCommand.self, TagsCommand.self, LabelsCommand.self, CheckCommand.self,
                    SemverCommand.self,
                ]),
            CommandGroup(name: "Registry", subcommands: [RegistryCommand.self]),
            CommandGroup(name: "Build", subcommands: [BuildCommand.self, InitCommand.self, LintCommand.self, PinCommand.self]),
            CommandGroup(
                name: "Lifecycle",
                subcommands: [
                    ReleaseCommand.self, GateCommand.self, ApproveCommand.self, PromoteCommand.self, RollbackCommand.self,
                    HoldCommand.self, UnholdCommand.self, MarkBadCommand.self, PruneCommand.self, StatusCommand.self,
                    HistoryCommand.self,
                    DiffCommand.self,
                ]),
            CommandGroup(name: "Rollout", subcommands: [CanaryCommand.self]),
            CommandGroup(
                name: "Trust", subcommands: [KeyCommand.self, SignCommand.self, AttestCommand.self, VerifyCommand.self]),
            CommandGroup(name: "Server", subcommands: [ServeCommand.self, TokenCommand.self]),
        ])

    public init() {}

    /// Parses the process arguments, runs the command and exits with berth's exit codes: a `BerthError`
    /// prints one line on stderr, never a stack trace.
    public static func runMain(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(emptyValuesSpelledOut(arguments ?? Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(ExitCodes.success)
        } catch let error as BerthError {
            fail(error)
        } catch let error as ImageStoreError {
            fail(error.berthError)
        } catch let error as OCIError {
            fail(BerthError(.badInput, error.description))
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

/// The one place a refusal is printed and becomes an exit code: each line of the message marked
/// `berth: error:`, so text that came from the input can't pass for a line of berth's own; control
/// characters escaped and every line bounded, however large the input it quotes.
func fail(_ error: BerthError) -> Never {
    let lines = error.message.split(separator: "\n", omittingEmptySubsequences: true).prefix(50)
    Terminal.writeError(
        (lines.isEmpty ? ["failed"] : lines).map { "berth: error: \(TerminalText.escaped(String($0)))\n" }.joined())
    Foundation.exit(ExitCodes.code(for: error.kind))
}

/// `--tag-prefix=` as CI scripts write it means the empty value, which ArgumentParser only reads when it
/// comes as a separate argument (`--tag-prefix ""`). Arguments after `--` are left alone.
func emptyValuesSpelledOut(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var operandsOnly = false
    for argument in arguments {
        if argument == "--" { operandsOnly = true }
        if !operandsOnly, argument.hasPrefix("--"), argument.count > 3, argument.hasSuffix("="),
            argument.dropFirst(2).dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        {
            result += [String(argument.dropLast()), ""]
        } else {
            result.append(argument)
        }
    }
    return result
}

/// berth's own version, stamped at release time.
enum BerthVersion {
    static let current = "0.1.0"
}
