import ArgumentParser
import BerthCore

/// What `berth hold` and `berth unhold` name: a version or an environment of an image, and why.
struct HoldTargetOptions: ParsableArguments {
    @Argument(help: "The version (1.2.3); omit it with --env.") var version: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("The environment.", valueName: "NAME"))
    var environment: String?

    @Option(help: ArgumentHelp("Why: recorded with the event.", valueName: "TEXT"))
    var reason: String

    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME"))
    var image: String?

    /// Holds (or, `release`, releases) the target through `HoldService`; the line or `--json` to print.
    func run(global: GlobalOptions, ledger: LedgerOptions, release: Bool) async throws -> String {
        let context = try CommandContext(global: global)
        if let environment { _ = try context.configuration.environment(named: environment) }
        let service = HoldService(
            try await context.lifecycle(ledger, registry: nil), environments: context.configuration.environments.map(\.name))
        let request = HoldRequest(
            repository: try context.repository(image), environment: environment, version: version, reason: reason)
        let outcome = try await release ? service.release(request) : service.hold(request)
        return try HoldCommand.render(
            outcome, json: global.json, done: release ? "released" : "held", unchanged: release ? "not held" : "already held")
    }
}
