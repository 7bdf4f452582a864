import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract:
            "Roll an environment back to its last good release: mark the current one bad, move tags, update deploy manifests.",
        discussion:
            "By default the target is the newest release the environment ran before the current one that passed its gates "
            + "(or was approved) and isn't marked bad; --to VERSION picks one. The current release is marked bad, so no "
            + "later promotion brings it back without --force. The environment's moving tags (latest for prod) are put "
            + "back on the target digest and verified; deploy manifests configured in berth.yaml deploy.<env> "
            + "(kustomization images entry, a Deployment's image, a Helm values key) are rewritten to repo:tag@digest "
            + "and committed; with kubectl_context, kubectl set image and rollout status run; with health_url, berth waits "
            + "for it to answer. All of it is recorded. Exit codes: 0 rolled back, 4 nothing qualifies, 1 failure, 64 usage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: "The environment to roll back (prod).") var environment: String
    @Option(name: .customLong("to"), help: ArgumentHelp("The version to return to.", valueName: "VERSION")) var target: String?
    @Option(help: ArgumentHelp("Why: recorded with the rollback and the bad mark.", valueName: "TEXT")) var reason = "rollback"
    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME")) var image: String?
    @Flag(help: "Return to a version that was marked bad.") var force = false
    @Flag(name: .customLong("dry-run"), help: "Show the plan; change nothing.") var dryRun = false

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try context.rollback(try await context.lifecycle(ledgerOptions, registry: registryOptions))
        let preview = try await service.preview(
            RollbackRequest(
                repository: try context.repository(image), environment: environment, target: target, reason: reason, force: force)
        )
        let plan = preview.plan
        let summary =
            "roll back \(environment): \(plan.fromVersion ?? "?") (\(Digest(plan.fromDigest)?.short ?? "")) → \(plan.toVersion) (\(Digest(plan.toDigest)?.short ?? "")), \(plan.clearance)"
        if dryRun {
            Terminal.write(summary + "\n")
            Terminal.write(plan.movingTags.map { "  move \($0)\n" }.joined())
            Terminal.write((preview.deploy.map(DeployService.preview)?.steps ?? []).map { "  \($0)\n" }.joined())
            return
        }
        let outcome = try await service.run(preview)
        if let unhealthy = outcome.unhealthy { throw unhealthy }
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    [
                        "environment": environment, "from": plan.fromVersion ?? "", "to": plan.toVersion, "digest": plan.toDigest,
                        "event": String(outcome.event.id ?? 0), "commit": outcome.details[DetailKey.commit] ?? "",
                    ]) + "\n")
        } else {
            Terminal.write(
                summary.replacingOccurrences(of: "roll back", with: "rolled back") + " — event \(outcome.event.id ?? 0)\n")
        }
    }
}
