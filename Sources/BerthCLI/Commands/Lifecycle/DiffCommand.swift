import ArgumentParser
import BerthCore
import Foundation

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "The changelog between two releases: their commits grouped by Conventional Commits type (Markdown).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The older version (1.1.0).") var from: String
    @Argument(help: "The newer version (1.2.0).") var to: String

    func run() throws {
        // The arguments first: a reversed or non-SemVer pair is refused before config or git are read.
        try ChangelogService.checkOrder(from: from, to: to)
        let context = try CommandContext(global: global)
        let changelog = try ChangelogService(
            git: try context.git, tagPrefix: context.configuration.version.tagPrefix, path: context.configuration.version.path
        ).changelog(from: from, to: to)
        if global.json {
            Terminal.write(try JSONOutput.encode(changelog.sections) + "\n")
        } else {
            Terminal.write(changelog.markdown(from: from, to: to))
        }
    }
}
