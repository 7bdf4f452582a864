import ArgumentParser
import BerthCore

struct CanaryPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Skip the remaining steps: all traffic to the canary, the environment's tags moved, recorded.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var canary: CanaryOptions
    @Option(help: ArgumentHelp("Why: recorded with the promotion.", valueName: "TEXT")) var reason: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.canary(canary, ledger: ledgerOptions, registry: registryOptions)
        let progress = try await service.promote(
            repository: try context.repository(canary.image), environment: canary.environment, reason: reason)
        try await CanaryReport.print(progress, service: service, json: global.json)
    }
}
