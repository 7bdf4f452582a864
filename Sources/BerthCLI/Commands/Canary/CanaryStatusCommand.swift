import ArgumentParser
import BerthCore

struct CanaryStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Where the canary stands: phase, step, weight (recorded and observed at the provider), measurements, next.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var canary: CanaryOptions

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.canary(canary, ledger: ledgerOptions, registry: registryOptions)
        let repository = try context.repository(canary.image)
        guard let status = try await service.status(repository: repository, environment: canary.environment) else {
            throw BerthError(
                .usage, "no canary of \(repository) has run in \(canary.environment); start one with berth canary start")
        }
        try CanaryReport.print(status, json: global.json)
    }
}
