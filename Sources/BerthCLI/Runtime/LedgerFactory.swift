import BerthCore
import BerthLedger
import Foundation

/// Opens the ledger a command uses.
enum LedgerFactory {
    /// --ledger, else $BERTH_LEDGER, else berth.yaml's `ledger`, else `.berth/ledger.sqlite` beside berth.yaml.
    static func open(_ options: LedgerOptions, context: CommandContext) async throws -> any LedgerStore {
        let location =
            options.ledger ?? context.environment["BERTH_LEDGER"].flatMap { $0.isEmpty ? nil : $0 } ?? context.configuration
            .ledger
            ?? defaultLocation
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await PostgresLedger(url: location)
        }
        let path = location.hasPrefix("/") ? location : "\(context.projectDirectory)/\(location)"
        let ledger = try SQLiteLedger(path: path)
        if location == defaultLocation { ignoreInGit("\(context.projectDirectory)/.berth") }
        return ledger
    }

    static let defaultLocation = ".berth/ledger.sqlite"

    /// Makes `.berth/` ignore itself (a `.gitignore` of `*` inside it, as Python's caches do): a ledger
    /// committed by a `git add .` would make every later berth run leave the tree dirty.
    static func ignoreInGit(_ directory: String) {
        let file = "\(directory)/.gitignore"
        guard !FileManager.default.fileExists(atPath: file) else { return }
        FileManager.default.createFile(
            atPath: file, contents: Data("# berth's local ledger: never committed (written by berth)\n*\n".utf8))
    }
}
