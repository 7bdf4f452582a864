import ArgumentParser
import BerthCore

struct SemverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semver",
        abstract: "SemVer 2.0.0 for shell scripts: validate, compare, sort, bump.",
        discussion: "Strict by default: a leading 'v' is accepted only with --prefix v. Invalid input exits 65.",
        subcommands: [SemverValidateCommand.self, SemverCompareCommand.self, SemverSortCommand.self, SemverBumpCommand.self])
}

/// `--prefix`, shared by the semver subcommands.
struct SemverPrefixOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Accept (and keep) this prefix, such as v.", valueName: "PREFIX"))
    var prefix: String?

    /// Parses `text`, removing the prefix when present.
    func parse(_ text: String) throws(SemanticVersionError) -> SemanticVersion {
        if let prefix, !prefix.isEmpty, text.hasPrefix(prefix) {
            return try SemanticVersion.parse(String(text.dropFirst(prefix.count)))
        }
        return try SemanticVersion.parse(text)
    }

    /// Parses or throws a bad-input error that names the text.
    func require(_ text: String) throws -> SemanticVersion {
        do { return try parse(text) } catch {
            let hint = text.hasPrefix("v") && prefix == nil ? "; pass --prefix v to accept a leading v" : ""
            throw BerthError(.badInput, error.description + hint)
        }
    }
}
