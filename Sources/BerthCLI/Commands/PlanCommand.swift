import ArgumentParser
import BerthCore
import Foundation

extension CIOutputFormat: ExpressibleByArgument {}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Decide version, tags, labels and checks for this build: berth's main job.",
        discussion:
            "Reads git history (Conventional Commits) and the CI environment, then prints the next version, "
            + "the image tags, OCI labels, build args and Go -ldflags, and checks that the git tag is free. With "
            + "--record, a plan whose checks pass is recorded in the ledger (a planned event per image). "
            + "Exit codes: 0 ok, 1 git or I/O failure, 3 tag conflict, 64 usage/config, 65 bad input or naming "
            + "policy.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Flag(help: "Record the plan in the ledger: the pipeline's first entry in the audit trail.") var record = false

    @Option(help: ArgumentHelp("CI output: github ($GITHUB_OUTPUT), gitlab (dotenv), env, docker-args.", valueName: "FORMAT"))
    var format: CIOutputFormat?

    func run() async throws {
        let context = try CommandContext(global: global)
        if let action = try context.metadataActionWithoutCheckout(options) {
            return try await planWithoutCheckout(action, context: context)
        }
        let plan = try await context.plan(options, registry: registryOptions)
        let failed = plan.findings.filter { $0.status == .fail }
        // Recorded before any output: a CI step must never get outputs for a plan the ledger refused.
        if record && failed.isEmpty { try await context.recorder(ledgerOptions).recordPlan(plan) }
        if global.json {
            Terminal.write(try JSONOutput.encode(PlanDocument(plan)) + "\n")
        } else if let format {
            if failed.isEmpty { try emit(try format.render(plan), format: format, environment: context.environment) }
        } else if global.quiet {
            Terminal.write(plan.tags.references.joined(separator: "\n") + (plan.tags.tags.isEmpty ? "" : "\n"))
        } else {
            Terminal.write(TextRenderer(color: Terminal.useColor, verbose: global.verbose).plan(plan))
        }
        try failIfChecksFailed(plan)
    }

    /// `github` appends to `$GITHUB_OUTPUT` when it's set; everything else goes to stdout.
    func emit(_ text: String, format: CIOutputFormat, environment: [String: String]) throws {
        guard format == .github else {
            Terminal.write(text)
            return
        }
        try CIOutputFormat.writeGitHubOutput(text, environment: environment)
    }
}

/// Refuses a plan whose checks failed: one error line per failed check, the exit code of the most
/// serious one.
func failIfChecksFailed(_ plan: ReleasePlan) throws {
    guard let kind = plan.failureKind else { return }
    throw BerthError(kind, plan.findings.filter { $0.status == .fail }.map(\.message).joined(separator: "\n"))
}
