import ArgumentParser
import BerthCore

struct CanaryRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Drive a canary to its end in this process (for a CI job): start it, or resume the one in progress.",
        discussion: "Progress goes to stderr, one line per step and measurement. Exit 0 when promoted, 4 when aborted or "
            + "paused for a human (inconclusive analysis, metrics unavailable, a pause step without a duration).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var canary: CanaryOptions
    @Argument(help: "The version to start, when no canary is in progress.") var version: String?
    @Option(help: ArgumentHelp("Why: recorded with the start.", valueName: "TEXT")) var reason: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try await context.canary(canary, ledger: ledgerOptions, registry: registryOptions, progress: true)
        let repository = try context.repository(canary.image)
        let current = try await service.status(repository: repository, environment: canary.environment)
        if let current, !current.progress.phase.isFinished {
            if let version, version != current.progress.version {
                throw BerthError(
                    .conflict,
                    "a canary of \(current.progress.version) is in progress in \(canary.environment); finish it before \(version)"
                )
            }
        } else {
            guard let version else {
                throw BerthError(.usage, "no canary is in progress in \(canary.environment): name the version to start")
            }
            _ = try await service.start(
                repository: repository, version: version, environment: canary.environment, reason: reason)
        }
        let progress = try await service.resume(repository: repository, environment: canary.environment, blocking: true)
        try await CanaryReport.print(progress, service: service, json: global.json)
        switch progress.phase {
        case .promoted: return
        case .aborted(let reason): throw BerthError(.blocked, "the canary of \(progress.version) was aborted: \(reason)")
        case .paused(let reason): throw BerthError(.blocked, "the canary of \(progress.version) is paused: \(reason)")
        case .progressing: return
        }
    }
}
