import ArgumentParser
import BerthCore
import Foundation

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Hold an environment (no promotion into it) or a version (no promotion of it) until berth unhold.",
        discussion:
            "Records a held event with who, when and why. While it holds, berth promote, the server's Promote button "
            + "and its API refuse with exit 4 and name the hold, forced or not; the board shows it on the card. "
            + "Give either --env NAME or a VERSION (its digest, as the ledger recorded it, is held). "
            + "Exit codes: 0 held (or held already), 1 the version is unknown or ledger failure, 3 another run changed "
            + "the hold at the same time, 64 usage."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @OptionGroup var target: HoldTargetOptions

    func run() async throws {
        Terminal.write(try await target.run(global: global, ledger: ledgerOptions, release: false))
    }

    /// One line (or `--json`) saying what a hold or a release did.
    static func render(_ outcome: HoldOutcome, json: Bool, done: String, unchanged: String) throws -> String {
        let (status, hold, event): (String, Hold?, Int64?)
        switch outcome {
        case .recorded(let recorded): (status, hold, event) = (done, recorded, recorded.eventID)
        case .unchanged(let current): (status, hold, event) = (unchanged, current, nil)
        }
        if json {
            var document = ["status": status.replacingOccurrences(of: " ", with: "-")]
            if let hold {
                document["scope"] = hold.scope.description
                document["repository"] = hold.repository
                if !hold.actor.isEmpty { document["actor"] = hold.actor }
            }
            if let event { document["event"] = String(event) }
            return try JSONOutput.encode(document) + "\n"
        }
        guard let hold else { return "\(status): nothing to do\n" }
        return "\(status): \(hold.repository) \(hold.scope)\(hold.version.map { " (\($0))" } ?? "")"
            + (event.map { ": event \($0)" } ?? " by \(hold.actor) (event \(hold.eventID ?? 0))") + "\n"
    }
}
