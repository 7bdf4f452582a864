import ArgumentParser
import BerthCore

struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an access token (a token-revoked event): every server refuses it from its next request on.",
        discussion: "Exit codes: 0 revoked (or already), 1 ledger failure, 64 no such token.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: "The token's id (berth token list).") var id: String

    func run() async throws {
        let context = try CommandContext(global: global)
        let token = try await context.tokens(ledgerOptions).revoke(id: id)
        if global.json {
            Terminal.write(try JSONOutput.encode(TokenDocument(token)) + "\n")
        } else {
            Terminal.write("revoked token \(token.id) (\(TerminalText.escaped(token.name, limit: 64)))\n")
        }
    }
}
