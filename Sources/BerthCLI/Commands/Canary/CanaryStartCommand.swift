import ArgumentParser
import BerthCore

struct CanaryStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a canary of a released version and carry out what is due now (the first steps, up to a pause).",
        discussion: "Refused unless the version is cleared for the environment (gates, approvals, order), the environment "
            + "runs a stable version, no other canary runs there, and the provider can carry every step's weight.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var canary: CanaryOptions
    @Argument(help: "The released version (1.2.0).") var version: String
    @Option(help: ArgumentHelp("Why: recorded with the start.", valueName: "TEXT")) var reason: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.canary(canary, ledger: ledgerOptions, registry: registryOptions)
        let progress = try await service.start(
            repository: try context.repository(canary.image), version: version, environment: canary.environment, reason: reason)
        try await CanaryReport.print(progress, service: service, json: global.json)
    }
}
