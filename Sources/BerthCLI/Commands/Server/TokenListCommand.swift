import ArgumentParser
import BerthCore
import Foundation

struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the access tokens (never their secrets), oldest first, with their state.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.tokens(ledgerOptions)
        let tokens = try await AccessTokens(ledger: service.ledger, time: service.time).all()
        if global.json {
            Terminal.write(try JSONOutput.encode(tokens.map { TokenDocument($0) }) + "\n")
            return
        }
        if tokens.isEmpty {
            Terminal.write("no tokens yet: berth token create --role viewer\n")
            return
        }
        let now = service.time.now()
        for token in tokens {
            let state = token.state(at: now)
            let scope = token.environment.map { " env=\($0)" } ?? ""
            let until = token.expires.map { " expires=\(RFC3339.utc(seconds: Int64($0)))" } ?? ""
            Terminal.write(
                "\(token.id)  \(state)  \(token.role.rawValue)  \(TerminalText.escaped(token.name, limit: 64))\(scope)\(until)  created \(RFC3339.utc(seconds: Int64(token.created))) by \(TerminalText.escaped(token.createdBy, limit: 64))\n"
            )
        }
    }
}
