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
        let (repository, reference, store) = try LifecycleRepository.store(image, context: context, options: registryOptions)
        let ledger = try await LedgerFactory.open(ledgerOptions, context: context)
        let prefix = context.configuration.tags.prefix
        let digest = try await Self.digest(
            of: version, repository: repository, reference: reference, store: store, ledger: ledger, prefix: prefix)
        let events = try await ledger.events(LedgerQuery(repository: repository, digest: digest.description))
        let environments = context.configuration.environments
        let templates = environments.first { $0.name == target }?.tags ?? []
        var existing: [String: String] = [:]
        for tag in PromotionPlanner.render(templates, version: version, prefix: prefix, environment: target) {
            if let found = try await store.resolve(reference.repository, reference: tag) {
                existing[tag] = found.digest.description
            }
        }
        let currentState = try await ledger.status(repository: repository).first { $0.environment == target }
        let current = currentState?.digest
        let deploy = noDeploy ? nil : context.configuration.deploy[target]
        let deployed = currentState?.event.kind == .deployed && current == digest.description
        let now = LedgerFactory.now
        let plan: PromotionPlan
        do {
            plan = try PromotionPlanner.plan(
                version: version, digest: digest.description, to: target, environments: environments, tagPrefix: prefix,
                events: events,
                existingTags: existing, now: now, force: force, current: current)
        } catch {
            Terminal.writeError("berth: error: \(error.message)\n")
            switch error.kind {
            case .blocked: throw ExitCode(ExitCodes.blocked)
            case .needsApproval: throw ExitCode(ExitCodes.approvalNeeded)
            case .conflict: throw ExitCode(ExitCodes.conflict)
            case .usage: throw ExitCode(ExitCodes.usage)
            }
        }
        let lines = plan.tags.map { change -> String in
            switch change.action {
            case .create: "create \(change.tag)"
            case .keep: "keep   \(change.tag) (already there)"
            case .move(let from): "move   \(change.tag) (from \(Digest(from)?.short ?? from))"
            case .conflict(let existing): "conflict \(change.tag) (\(existing))"
            }
        }
        if plan.isDone && (deploy == nil || deployed) {
            Terminal.write(
                "\(repository) \(version) (\(digest.short)) is already in \(target) with its tags\(deploy == nil ? "" : ", deployed"); nothing to do\n"
            )
            return
        }
        if dryRun {
            Terminal.write("promote \(version) (\(digest.short)) \(plan.from ?? "release") → \(target): \(plan.clearance)\n")
            Terminal.write(lines.map { "  \($0)\n" }.joined())
            Terminal.write((deploy?.files ?? []).map { "  rewrite \($0)\n" }.joined())
            return
        }
        let promoted =
            plan.isDone
            ? currentState?.event
            : try await retagAndRecord(
                plan, repository: repository, reference: reference, digest: digest,
                gitSHA: events.first(where: { $0.gitSHA != nil })?.gitSHA, actor: LedgerFactory.actor(context), now: now,
                store: store, ledger: ledger)
        var deployment: LedgerEvent?
        var unhealthy: Error?
        if let deploy {
            let tag = plan.tags.first?.tag ?? prefix + version
            let outcome = try await DeployStep(
                environment: target, settings: deploy, root: context.projectDirectory, git: context.git,
                commitChanges: context.configuration.deployCommit
            ).apply(
                repository: repository, tag: tag, digest: digest.description,
                commitMessage:
                    "chore(deploy): \(target) runs \(version)\n\n\(reason ?? "promoted from \(plan.from ?? "release")")")
            unhealthy = outcome.unhealthy
            deployment = try await ledger.append(
                LedgerEvent(
                    kind: .deployed, repository: repository, version: version, digest: digest.description, environment: target,
                    gitSHA: promoted?.gitSHA, actor: LedgerFactory.actor(context), time: LedgerFactory.now,
                    reason: reason ?? "deployed by berth promote",
                    details: outcome.details.merging(["tag": tag]) { $1 }))
        }
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    PromoteDocument(
                        version: version, digest: digest.description, environment: target, tags: plan.tags.map(\.tag),
                        event: promoted?.id, deployed: deployment?.id, commit: deployment?.details["commit"])) + "\n")
        } else {
            Terminal.write(
                "promoted \(version) (\(digest.short)) to \(target): \(plan.tags.map(\.tag).joined(separator: " ")) — event \(promoted?.id ?? 0)\n"
            )
            if let deployment {
                let done = ["commit", "kubectl", "health"].compactMap { key in deployment.details[key].map { "\(key) \($0)" } }
                Terminal.write(
                    "deployed \(target)\(done.isEmpty ? "" : ": " + done.joined(separator: ", ")) — event \(deployment.id ?? 0)\n"
                )
            }
        }
        if let unhealthy { throw unhealthy }
    }

    /// Puts the plan's tags on the digest, verifies every one, then records the promotion.
    func retagAndRecord(
        _ plan: PromotionPlan, repository: String, reference: ImageReference, digest: Digest, gitSHA: String?, actor: String,
        now: Double, store: any ImageStore, ledger: any LedgerStore
    ) async throws -> LedgerEvent {
        let document = try await store.fetchManifest(reference.repository, reference: digest.description)
        for change in plan.tags where change.action != .keep {
            try await store.pushManifest(reference.repository, reference: change.tag, manifest: document)
        }
        CrashPoint.reached("promote.retagged")
        for change in plan.tags {
            let landed = try await store.resolve(reference.repository, reference: change.tag)
            guard landed?.digest == digest else {
                throw BerthError(
                    .failure,
                    "\(repository):\(change.tag) resolves to \(landed?.digest.description ?? "nothing") after the retag, not \(digest); nothing was recorded: run berth promote again"
                )
            }
        }
        let event = try await ledger.append(
            LedgerEvent(
                kind: .promoted, repository: repository, version: version, digest: digest.description, environment: target,
                gitSHA: gitSHA, actor: actor, time: now,
                reason: reason ?? "promoted from \(plan.from ?? "release")",
                details: [
                    "tags": plan.tags.map(\.tag).joined(separator: ","), "from": plan.from ?? "", "clearance": plan.clearance,
                ]))
        CrashPoint.reached("promote.recorded")
        return event
    }

    /// The digest of `version`: the newest ledger event that names one, else the registry's version tag.
    static func digest(
        of version: String, repository: String, reference: ImageReference, store: any ImageStore, ledger: any LedgerStore,
        prefix: String
    ) async throws -> Digest {
        let recorded = try await ledger.events(
            LedgerQuery(
                repository: repository, version: version, kinds: [.released, .pushed, .built, .promoted, .tagged, .gateEvaluated])
        )
        if let text = recorded.first(where: { $0.digest != nil })?.digest, let digest = Digest(text) { return digest }
        if let found = try await store.resolve(reference.repository, reference: prefix + version) { return found.digest }
        throw BerthError(
            .failure,
            "\(repository) has no version \(version): no ledger event names it and tag '\(prefix)\(version)' doesn't exist; was it released?"
        )
    }
}

struct PromoteDocument: Encodable {
    let version: String
    let digest: String
    let environment: String
    let tags: [String]
    let event: Int64?
    let deployed: Int64?
    let commit: String?
}
