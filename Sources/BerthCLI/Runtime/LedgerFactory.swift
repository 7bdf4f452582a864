import BerthCore
import BerthLedger
import Foundation

/// Opens the ledger a command uses.
enum LedgerFactory {
    /// --ledger, else $BERTH_LEDGER, else berth.yaml's `ledger`, else `.berth/ledger.sqlite` beside berth.yaml.
    /// `LedgerLocation` decides what it is: a PostgreSQL URL, a SQLite path, or (anything else that looks
    /// like a URL) a usage error that never shows the password.
    static func open(_ options: LedgerOptions, context: CommandContext) async throws -> any LedgerStore {
        let location =
            options.ledger ?? context.environment["BERTH_LEDGER"].flatMap { $0.isEmpty ? nil : $0 } ?? context.configuration
            .ledger
            ?? defaultLocation
        switch try LedgerLocation.parse(location) {
        case .postgres(let configuration):
            return try await PostgresLedger(configuration: configuration)
        case .sqlite(let file):
            let path = file.hasPrefix("/") ? file : "\(context.projectDirectory)/\(file)"
            let ledger = try SQLiteLedger(path: path)
            if file == defaultLocation { ignoreInGit("\(context.projectDirectory)/.berth") }
            return ledger
        }
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
