import ArgumentParser
import BerthCore
import BerthOCI
import BerthProcess
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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
        let repository = try LifecycleRepository.resolve(image, context: context)
        let reference = try StoreFactory.reference(repository)
        let store = try StoreFactory(options: registryOptions, environment: context.environment).store(for: reference)
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
        if let deploy {
            let files = try rewrite(
                deploy, root: context.projectDirectory, repository: repository, tag: versionTag, digest: plan.toDigest)
            if !files.isEmpty && context.configuration.deployCommit {
                details["commit"] = try context.git.commit(
                    files: files, message: "chore(deploy): roll \(environment) back to \(plan.toVersion)\n\n\(reason)")
            }
            if let kubectlContext = deploy.kubectlContext {
                try kubectl(deploy, context: kubectlContext, image: "\(repository):\(versionTag)@\(plan.toDigest)")
                details["kubectl"] = kubectlContext
            }
        }
        // The rollback happened whatever the health check says: record it, then report an unhealthy service.
        var unhealthy: Error?
        if let url = deploy?.healthURL {
            do { details["health"] = try await waitHealthy(url, timeout: deploy?.healthTimeoutSeconds ?? 60) } catch {
                details["health"] = "unhealthy"
                unhealthy = error
            }
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

    /// Rewrites the environment's manifests; returns the paths changed (relative to the project).
    func rewrite(_ deploy: DeploySettings, root: String, repository: String, tag: String, digest: String) throws -> [String] {
        var changed: [String] = []
        let edits: [(String?, (String) throws(DeployManifestEditor.Problem) -> String)] = [
            (
                deploy.kustomization,
                { text throws(DeployManifestEditor.Problem) in
                    try DeployManifestEditor.kustomization(text, repository: repository, tag: tag, digest: digest)
                }
            ),
            (
                deploy.deployment,
                { text throws(DeployManifestEditor.Problem) in
                    try DeployManifestEditor.containerImage(text, repository: repository, tag: tag, digest: digest)
                }
            ),
            (
                deploy.helmValues,
                { text throws(DeployManifestEditor.Problem) in
                    try DeployManifestEditor.helmValue(text, key: deploy.helmKey, tag: tag, digest: digest)
                }
            ),
        ]
        for (file, edit) in edits {
            guard let file else { continue }
            let path = "\(root)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BerthError(
                    .usage, "deploy manifest '\(file)' of \(environment) doesn't exist: fix deploy.\(environment) in berth.yaml")
            }
            let text = String(decoding: data, as: UTF8.self)
            let updated: String
            do { updated = try edit(text) } catch {
                throw BerthError(.badInput, "deploy manifest '\(file)': \(error.description)")
            }
            if updated != text {
                try Data(updated.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                changed.append(file)
            }
        }
        return changed
    }

    func kubectl(_ deploy: DeploySettings, context: String, image: String) throws {
        guard let name = deploy.kubectlDeployment, let container = deploy.kubectlContainer else {
            throw BerthError(.usage, "deploy.\(environment).kubectl_context needs kubectl_deployment and container in berth.yaml")
        }
        guard let kubectl = ProcessRunner.locate("kubectl") else {
            throw BerthError(
                .failure, "kubectl is not on PATH, and deploy.\(environment).kubectl_context is set: install kubectl or remove it"
            )
        }
        let scope = ["--context", context] + (deploy.kubectlNamespace.map { ["--namespace", $0] } ?? [])
        for arguments in [
            scope + ["set", "image", "deployment/\(name)", "\(container)=\(image)"],
            scope + ["rollout", "status", "deployment/\(name)", "--timeout=\(deploy.healthTimeoutSeconds)s"],
        ] {
            let output = try ProcessRunner.run(kubectl, arguments)
            guard output.status == 0 else {
                throw BerthError(
                    .failure,
                    "kubectl \(arguments.dropFirst(scope.count).prefix(2).joined(separator: " ")) failed: \(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"
                )
            }
        }
    }

    /// Polls `url` until a 2xx or the timeout; returns what it saw.
    func waitHealthy(_ url: String, timeout: Int) async throws -> String {
        guard let target = URL(string: url) else {
            throw BerthError(.usage, "deploy.\(environment).health_url '\(url)' is not a URL")
        }
        let deadline = Date().addingTimeInterval(Double(timeout))
        var last = "no answer"
        while Date() < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: target),
                let status = (response as? HTTPURLResponse)?.statusCode
            {
                if (200..<300).contains(status) { return "\(status)" }
                last = "HTTP \(status)"
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BerthError(
            .failure,
            "\(url) didn't answer 2xx within \(timeout) s (last: \(last)); the rollback is done but not healthy — check the service"
        )
    }
}
