import ArgumentParser
import BerthCore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the planned tags against naming policy and existing git tags.",
        discussion:
            "A git tag that exists locally or on the remote at another commit is a conflict (exit 3); at "
            + "HEAD it is fine (re-runs are idempotent). --env NAME applies that environment's naming rule "
            + "from berth.yaml (exit 65 when a tag breaks it).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions
    @OptionGroup var registryOptions: RegistryOptions

    func run() async throws {
        let context = try CommandContext(global: global)
        let plan = try await context.plan(options, registry: registryOptions)
        if global.json {
            Terminal.write(try JSONOutput.encode(plan.findings.map(CheckDocument.init)) + "\n")
        } else if !global.quiet {
            let renderer = TextRenderer(color: Terminal.useColor, verbose: global.verbose)
            let checks = renderer.checks(plan.findings)
            Terminal.write(checks.isEmpty ? "nothing to check: \(plan.decision.explanation)\n" : renderer.rows(checks))
        }
        try failIfChecksFailed(plan)
    }
}
