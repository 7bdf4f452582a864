import BerthCore
import BerthLedger
import Foundation

/// Opens the ledger a command uses, and says who is acting.
enum LedgerFactory {
    /// --ledger, else $BERTH_LEDGER, else berth.yaml's `ledger`, else `.berth/ledger.sqlite` beside berth.yaml.
    static func open(_ options: LedgerOptions, context: CommandContext) async throws -> any LedgerStore {
        let location =
            options.ledger ?? context.environment["BERTH_LEDGER"].flatMap { $0.isEmpty ? nil : $0 } ?? context.configuration
            .ledger
            ?? ".berth/ledger.sqlite"
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await PostgresLedger(url: location)
        }
        let path = location.hasPrefix("/") ? location : "\(context.projectDirectory)/\(location)"
        return try SQLiteLedger(path: path)
    }

    /// The CI actor (GITHUB_ACTOR, GITLAB_USER_LOGIN), else the local user.
    static func actor(_ context: CommandContext) -> String {
        context.ci.actor ?? context.environment["USER"] ?? context.environment["LOGNAME"] ?? "unknown"
    }

    /// The clock (the composition root is where time comes from).
    static var now: Double { Date().timeIntervalSince1970 }
}
