import ArgumentParser
import BerthCore

struct CanaryAbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "End the canary: all traffic back to stable at once, the version marked bad in the environment.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var canary: CanaryOptions
    @Option(help: ArgumentHelp("Why: recorded with the abort and the bad mark.", valueName: "TEXT")) var reason: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.canary(canary, ledger: ledgerOptions, registry: registryOptions)
        let progress = try await service.abort(
            repository: try context.repository(canary.image), environment: canary.environment, reason: reason)
        try await CanaryReport.print(progress, service: service, json: global.json)
    }
}
