import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What version and digest each environment runs, since when and by whom (from the ledger).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME"))
    var image: String?

    struct Row: Encodable {
        let environment: String
        let version: String?
        let digest: String?
        let since: String
        let event: String
        let actor: String
    }

    func run() async throws {
        let context = try CommandContext(global: global)
        let repository = try LifecycleRepository.resolve(image, context: context)
        let states = try await LedgerFactory.open(ledgerOptions, context: context).status(repository: repository)
        let order = context.configuration.environments.map(\.name)
        let sorted = states.sorted {
            (order.firstIndex(of: $0.environment) ?? .max, $0.environment) < (
                order.firstIndex(of: $1.environment) ?? .max, $1.environment
            )
        }
        let rows = sorted.map {
            Row(
                environment: $0.environment, version: $0.version, digest: $0.digest, since: RFC3339.utc(seconds: Int64($0.since)),
                event: $0.event.kind.rawValue, actor: $0.event.actor)
        }
        if global.json {
            Terminal.write(try JSONOutput.encode(rows) + "\n")
            return
        }
        if rows.isEmpty {
            Terminal.write("nothing recorded for \(repository) yet\n")
            return
        }
        Terminal.write(
            TextRenderer(color: Terminal.useColor, verbose: global.verbose).rows(
                rows.map {
                    (
                        $0.environment,
                        "\($0.version ?? "?")  \($0.digest.flatMap { Digest($0)?.short } ?? "?")  since \($0.since) (\($0.event) by \($0.actor))"
                    )
                }))
    }
}
