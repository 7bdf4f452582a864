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
        let context = try CommandContext(global: global)
        let prefix = context.configuration.version.tagPrefix
        let tags = try context.git.tags()
        func commit(_ version: String) throws -> String {
            guard let tag = tags.first(where: { $0.name == prefix + version }) else {
                throw BerthError(.usage, "no git tag '\(prefix)\(version)': list releases with git tag --list '\(prefix)*'")
            }
            return tag.commit
        }
        let commits = try context.git.commits(
            from: try commit(from), to: try commit(to), path: context.configuration.version.path)
        let changelog = Changelog(commits: commits)
        if global.json {
            Terminal.write(try JSONOutput.encode(changelog.sections) + "\n")
        } else {
            Terminal.write(changelog.markdown(from: from, to: to))
        }
    }
}
