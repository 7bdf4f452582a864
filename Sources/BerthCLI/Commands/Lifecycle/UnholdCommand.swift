import ArgumentParser
import BerthCore
import Foundation

struct UnholdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unhold",
        abstract: "Release a hold on an environment or a version (berth hold): promotions may go again.",
        discussion:
            "Records an unheld event with who, when and why. Give the same --env NAME or VERSION as the hold. "
            + "Exit codes: 0 released (or nothing was held), 1 the version is unknown or ledger failure, 3 another run "
            + "changed the hold at the same time, 64 usage."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @OptionGroup var target: HoldTargetOptions

    func run() async throws {
        Terminal.write(try await target.run(global: global, ledger: ledgerOptions, release: true))
    }
}
