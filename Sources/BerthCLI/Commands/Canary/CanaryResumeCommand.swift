import ArgumentParser
import BerthCore

struct CanaryResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Carry a canary on: reconcile the provider with the ledger, lift a pause, do what is due now.",
        discussion: "After a berth was killed, after a pause for a human, or from a scheduled job that advances timed "
            + "pauses. It doesn't wait: `berth canary run` does.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var canary: CanaryOptions

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.canary(canary, ledger: ledgerOptions, registry: registryOptions)
        let progress = try await service.resume(
            repository: try context.repository(canary.image), environment: canary.environment, blocking: false)
        try await CanaryReport.print(progress, service: service, json: global.json)
    }
}
