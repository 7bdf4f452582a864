import ArgumentParser
import BerthCore
import Foundation

struct MarkBadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark-bad",
        abstract: "Mark the digest a version ran as in an environment bad: no promotion or rollback brings it back.",
        discussion:
            "Records a marked-bad event (once per digest and environment) with who, when and why, for the digest the "
            + "ledger says VERSION ran as in --env. berth promote and the server's Promote then refuse that digest "
            + "everywhere without --force, berth rollback skips it, and the board shows it; the server's Mark bad button "
            + "and POST /api/v1/bad-marks record the same event. A mark is permanent: the ledger is append-only. "
            + "Exit codes: 0 marked (or marked already), 1 the version never ran in the environment or ledger failure, "
            + "3 the ledger refused the write as a conflict, 64 usage, 65 VERSION is not a version."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: "The version (1.2.3) that ran in the environment.") var version: String

    @Option(name: .customLong("env"), help: ArgumentHelp("The environment it ran in.", valueName: "NAME"))
    var environment: String

    @Option(help: ArgumentHelp("What is wrong with it: recorded with the event.", valueName: "TEXT"))
    var reason: String

    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME"))
    var image: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        _ = try context.configuration.environment(named: environment)
        let service = BadMarkService(try await context.lifecycle(ledgerOptions, registry: nil))
        let mark = try await service.preview(
            BadMarkRequest(repository: try context.repository(image), version: version, environment: environment, reason: reason))
        let (recorded, event, new) = try await service.run(mark)
        Terminal.write(try Self.render(recorded, event: event, new: new, json: global.json))
    }

    /// One line (or `--json`) saying what was marked, and whether it was already.
    static func render(_ mark: BadMark, event: LedgerEvent, new: Bool, json: Bool) throws -> String {
        let status = new ? "marked bad" : "already marked bad"
        if json {
            var document = [
                "status": new ? "marked-bad" : "already", "repository": mark.repository, "digest": mark.digest.description,
                "environment": mark.environment, "actor": event.actor, "reason": mark.reason,
            ]
            if let version = mark.version { document["version"] = version }
            if let id = event.id { document["event"] = String(id) }
            return try JSONOutput.encode(document) + "\n"
        }
        let version = mark.version.map { " \($0)" } ?? ""
        let by = new ? "" : " by \(TerminalText.escaped(event.actor, limit: 64))"
        return "\(status): \(mark.repository)\(version) (\(mark.digest)) in \(mark.environment)\(by)"
            + (event.id.map { " (event \($0))" } ?? "") + "\n"
    }
}
