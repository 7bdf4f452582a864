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
        let policy = try context.configuration.environment(named: environment)
        let (repository, reference, store) = try LifecycleRepository.store(image, context: context, options: registryOptions)
        let ledger = try await LedgerFactory.open(ledgerOptions, context: context)
        let history = try await ledger.events(
            LedgerQuery(repository: repository, environment: environment, kinds: environmentChangingKinds))
        var events: [LedgerEvent] = []
        for digest in Set(history.compactMap(\.digest)) {
            events += try await ledger.events(LedgerQuery(repository: repository, digest: digest))
        }
        let now = LedgerFactory.now
        let plan: RollbackPlan
        do {
            plan = try RollbackPlanner.plan(
                environment: policy, history: history, events: events, target: target, prefix: context.configuration.tags.prefix,
                now: now,
                force: force)
        } catch {
            Terminal.writeError("berth: error: \(error.message)\n")
            throw ExitCode(error.kind == .usage ? ExitCodes.usage : ExitCodes.blocked)
        }
        let deploy = context.configuration.deploy[environment]
        let summary =
            "roll back \(environment): \(plan.fromVersion ?? "?") (\(Digest(plan.fromDigest)?.short ?? "")) → \(plan.toVersion) (\(Digest(plan.toDigest)?.short ?? "")), \(plan.clearance)"
        if dryRun {
            Terminal.write(summary + "\n")
            Terminal.write(plan.movingTags.map { "  move \($0)\n" }.joined())
            Terminal.write((deploy?.files ?? []).map { "  rewrite \($0)\n" }.joined())
            return
        }

        // The current release is bad from now on (once per digest and environment: a re-run adds nothing).
        do {
            try await ledger.append(
                LedgerEvent(
                    kind: .markedBad, repository: repository, version: plan.fromVersion, digest: plan.fromDigest,
                    environment: environment,
                    actor: LedgerFactory.actor(context), time: now, reason: reason,
                    onceKey: "bad:\(repository):\(environment):\(plan.fromDigest)"))
        } catch is LedgerConflict {}

        let digest = Digest(plan.toDigest)!
        let document = try await store.fetchManifest(reference.repository, reference: digest.description)
        for tag in plan.movingTags { try await store.pushManifest(reference.repository, reference: tag, manifest: document) }
        for tag in plan.movingTags {
            guard try await store.resolve(reference.repository, reference: tag)?.digest == digest else {
                throw BerthError(
                    .failure,
                    "\(repository):\(tag) doesn't resolve to \(digest.short) after the retag; nothing was recorded: run berth rollback again"
                )
            }
        }
        let versionTag = context.configuration.tags.prefix + plan.toVersion
        var details = [
            "from": plan.fromVersion ?? "", "fromDigest": plan.fromDigest, "tags": plan.movingTags.joined(separator: ","),
        ]
        // The rollback happened whatever the health check says: record it, then report an unhealthy service.
        var unhealthy: Error?
        if let deploy {
            let outcome = try await DeployStep(
                environment: environment, settings: deploy, root: context.projectDirectory, git: context.git,
                commitChanges: context.configuration.deployCommit
            ).apply(
                repository: repository, tag: versionTag, digest: plan.toDigest,
                commitMessage: "chore(deploy): roll \(environment) back to \(plan.toVersion)\n\n\(reason)")
            details.merge(outcome.details) { $1 }
            unhealthy = outcome.unhealthy
        }
        let event = try await ledger.append(
            LedgerEvent(
                kind: .rolledBack, repository: repository, version: plan.toVersion, digest: plan.toDigest,
                environment: environment,
                actor: LedgerFactory.actor(context), time: now, reason: reason, details: details))
        if let unhealthy { throw unhealthy }
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    [
                        "environment": environment, "from": plan.fromVersion ?? "", "to": plan.toVersion, "digest": plan.toDigest,
                        "event": String(event.id ?? 0), "commit": details["commit"] ?? "",
                    ]) + "\n")
        } else {
            Terminal.write(summary.replacingOccurrences(of: "roll back", with: "rolled back") + " — event \(event.id ?? 0)\n")
        }
    }
}
