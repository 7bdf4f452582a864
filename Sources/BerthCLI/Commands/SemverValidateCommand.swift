import ArgumentParser
import BerthCore

struct SemverValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Print the versions that are not valid SemVer 2.0.0 (arguments, or lines on stdin).",
        discussion: "Exit 0 only when every version is valid, else 65. Reasons go to stderr.")

    @OptionGroup var prefix: SemverPrefixOptions

    @Argument(help: "Versions to check; none reads lines from stdin.")
    var versions: [String] = []

    func run() throws {
        let inputs = versions.isEmpty ? Terminal.readStandardInputLines() : versions
        var invalid = 0
        for text in inputs {
            do { _ = try prefix.parse(text) } catch {
                invalid += 1
                Terminal.write(text + "\n")
                Terminal.writeError("berth: \(error.description)\n")
            }
        }
        if invalid > 0 { throw ExitCode(ExitCodes.badInput) }
    }
}
