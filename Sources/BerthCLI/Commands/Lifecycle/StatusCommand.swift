import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What version and digest each environment runs, since when and by whom (from the ledger).",
        discussion:
            "For --image, else the first of image.names; with neither, for every repository the ledger knows (--json then "
            + "lists {repository, environments} per repository).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Option(
        help: ArgumentHelp(
            "The image repository (default: the first of image.names, else every one recorded).", valueName: "NAME"))
    var image: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        let queries = try await context.queries(ledgerOptions)
        // No --image and no image.names: every repository the ledger knows.
        let named = image ?? context.configuration.images.first
        let repositories = try await queries.repositories(named)
        var rows: [(repository: String, row: StatusRow)] = []
        for repository in repositories {
            for state in try await queries.status(repository: repository) {
                rows.append(
                    (
                        repository,
                        StatusRow(
                            environment: state.environment, version: state.version, digest: state.digest,
                            since: RFC3339.utc(seconds: Int64(state.since)), event: state.event.kind.rawValue,
                            actor: state.event.actor)
                    ))
            }
        }
        if global.json {
            if named != nil {
                Terminal.write(try JSONOutput.encode(rows.map(\.row)) + "\n")
            } else {
                Terminal.write(
                    try JSONOutput.encode(
                        repositories.map { repository in
                            StatusRepository(
                                repository: repository, environments: rows.filter { $0.repository == repository }.map(\.row))
                        }) + "\n")
            }
            return
        }
        if rows.isEmpty {
            Terminal.write(named.map { "nothing recorded for \($0) yet\n" } ?? "nothing recorded yet\n")
            return
        }
        let renderer = TextRenderer(color: Terminal.useColor, verbose: global.verbose)
        for repository in repositories {
            let mine = rows.filter { $0.repository == repository }.map(\.row)
            if named == nil {
                if repository != repositories.first { Terminal.write("\n") }
                Terminal.write("\(repository)\n")
            }
            Terminal.write(
                renderer.rows(
                    mine.map {
                        (
                            $0.environment,
                            "\(TerminalText.escaped($0.version ?? "?", limit: 80))  \($0.digest.flatMap { Digest($0)?.short } ?? "?")  since \($0.since) (\($0.event) by \(TerminalText.escaped($0.actor, limit: 80)))"
                        )
                    }))
        }
    }
}
