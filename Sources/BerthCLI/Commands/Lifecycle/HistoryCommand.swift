import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The ledger's events for the image, newest first: what was built, gated, approved, promoted, rolled back.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Option(
        help: ArgumentHelp(
            "The image repository (default: the first of image.names, else every one recorded).", valueName: "NAME"))
    var image: String?
    @Option(name: .customLong("env"), help: ArgumentHelp("Only this environment.", valueName: "NAME")) var environment: String?
    @Option(help: ArgumentHelp("Only this version.", valueName: "VERSION")) var version: String?
    @Option(help: ArgumentHelp("At most N events.", valueName: "N")) var limit = 50

    func run() async throws {
        let context = try CommandContext(global: global)
        let queries = try await context.queries(ledgerOptions)
        // No --image and no image.names: the events of every repository, newest first.
        let repository = image ?? context.configuration.images.first
        let events = try await queries.history(
            LedgerQuery(repository: repository, environment: environment, version: version, limit: limit))
        let rows = events.map {
            HistoryRow(
                id: $0.id, kind: $0.kind.rawValue, repository: repository == nil ? $0.repository : nil, version: $0.version,
                digest: $0.digest, environment: $0.environment, gitSHA: $0.gitSHA, actor: $0.actor,
                time: RFC3339.utc(seconds: Int64($0.time)), reason: $0.reason, details: $0.details)
        }
        if global.json {
            Terminal.write(try JSONOutput.encode(rows) + "\n")
            return
        }
        for row in rows {
            let place = row.environment.map { " \($0)" } ?? ""
            let digest = row.digest.flatMap { Digest($0)?.short } ?? ""
            let name = row.repository.map { "\($0)  " } ?? ""
            let reason = row.reason.map { ": \(TerminalText.escaped($0, limit: 200))" } ?? ""
            Terminal.write(
                "\(row.time)  #\(row.id ?? 0)  \(name)\(row.kind)\(place)  \(TerminalText.escaped(row.version ?? "-", limit: 80))  \(digest)  by \(TerminalText.escaped(row.actor, limit: 80))\(reason)\n"
            )
        }
    }
}
