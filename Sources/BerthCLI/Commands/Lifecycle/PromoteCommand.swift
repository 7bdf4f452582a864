import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote a released version to the next environment by retagging the very same digest.",
        discussion:
            "Environments go in berth.yaml's order (dev → staging → prod). A version enters one only after the previous "
            + "environment held its digest and its gate passed or was approved for it; a version marked bad needs --force. "
            + "The environment's tags (v1.2.0-staging; v1.2.0 and latest for prod) are put on the same manifest bytes, "
            + "every tag is verified to resolve to the digest, and only then is the promotion recorded. A tag naming a "
            + "version that points elsewhere is a conflict. With deploy.<env> in berth.yaml the environment is then deployed "
            + "as rollback does it (manifests rewritten to repo:tag@digest and committed, kubectl, health URL) and a "
            + "deployed event is recorded; --no-deploy leaves that to another tool. Re-running a promotion that is done "
            + "changes nothing. Exit codes: 0 promoted, 3 conflict, 4 blocked, 5 approval needed, 1 registry, ledger, "
            + "deploy or health failure, 64 usage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: "The version to promote (1.2.0).") var version: String
    @Option(name: .customLong("to"), help: ArgumentHelp("The environment to promote into.", valueName: "ENV")) var target: String
    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME")) var image: String?
    @Option(help: ArgumentHelp("Why: recorded with the promotion.", valueName: "TEXT")) var reason: String?
    @Flag(help: "Promote a version that was marked bad.") var force = false
    @Flag(name: .customLong("no-deploy"), help: "Retag and record only; don't apply berth.yaml's deploy.<env>.")
    var noDeploy = false
    @Flag(name: .customLong("dry-run"), help: "Show the plan; change nothing.") var dryRun = false

    func run() async throws {
        let context = try CommandContext(global: global)
        let service = try context.promotion(try await context.lifecycle(ledgerOptions, registry: registryOptions))
        let preview = try await service.preview(
            PromotionRequest(
                repository: try context.repository(image), version: version, environment: target, reason: reason, force: force,
                deploy: !noDeploy))
        let (plan, digest, repository) = (preview.plan, preview.digest, preview.request.repository)
        if preview.isDone {
            Terminal.write(
                "\(repository) \(version) (\(digest.short)) is already in \(target) with its tags\(preview.deploy == nil ? "" : ", deployed"); nothing to do\n"
            )
            return
        }
        if dryRun {
            Terminal.write("promote \(version) (\(digest.short)) \(plan.from ?? "release") → \(target): \(plan.clearance)\n")
            Terminal.write(plan.tags.map { "  \(Self.line($0))\n" }.joined())
            Terminal.write((preview.deploy.map(DeployService.preview)?.steps ?? []).map { "  \($0)\n" }.joined())
            return
        }
        let outcome = try await service.run(preview)
        let (promoted, deployment) = (outcome.promoted, outcome.deployed)
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    PromoteDocument(
                        version: version, digest: digest.description, environment: target, tags: plan.tags.map(\.tag),
                        event: promoted?.id, deployed: deployment?.id, commit: deployment?.details[DetailKey.commit])) + "\n")
        } else {
            if outcome.recordedPromotion {
                Terminal.write(
                    "promoted \(version) (\(digest.short)) to \(target): \(plan.tags.map(\.tag).joined(separator: " ")) — event \(promoted?.id ?? 0)\n"
                )
            } else {
                // A racing run recorded it between this run's reads of the registry and of the ledger.
                Terminal.write(
                    "\(repository) \(version) (\(digest.short)) was promoted to \(target) by another run (event \(promoted?.id ?? 0)); its tags are in place\(deployment == nil ? "; nothing to do" : "")\n"
                )
            }
            if let deployment {
                let done = [DetailKey.commit, DetailKey.kubectl, DetailKey.health].compactMap { key in
                    deployment.details[key].map { "\(key) \($0)" }
                }
                Terminal.write(
                    "deployed \(target)\(done.isEmpty ? "" : ": " + done.joined(separator: ", ")) — event \(deployment.id ?? 0)\n"
                )
            }
        }
        if let unhealthy = outcome.unhealthy { throw unhealthy }
    }

    static func line(_ change: PromotionPlan.TagChange) -> String {
        switch change.action {
        case .create: "create \(change.tag)"
        case .keep: "keep   \(change.tag) (already there)"
        case .move(let from): "move   \(change.tag) (from \(Digest(from)?.short ?? from))"
        }
    }
}
