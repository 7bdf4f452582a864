import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release the planned version exactly once: check, tag the image, create and push the git tag, record.",
        discussion:
            "Plans as berth plan does (its git and registry checks included), finds the built image (--digest, else the "
            + "plan's sha- or version tag in the registry), puts every planned tag on it (floating tags move, a version "
            + "tag elsewhere is a conflict), creates the annotated git tag at HEAD and pushes it to the remote, and records "
            + "the release in the ledger under a key only one run can hold. Every step is idempotent, so a run that "
            + "crashed is simply run again; of concurrent runs exactly one records the release and the others exit 3. "
            + "Exit codes: 0 released, 3 already released or a tag conflict, 1 git/registry/ledger failure, 64 usage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Flag(name: .customLong("no-push-tag"), help: "Create the git tag locally only.") var noPushTag = false
    @Flag(name: .customLong("dry-run"), help: "Show the steps; change nothing.") var dryRun = false

    func run() async throws {
        let context = try CommandContext(global: global)
        var planOptions = options
        planOptions.registry = false
        let plan = try await context.plan(planOptions, registry: registryOptions)
        try failIfChecksFailed(plan)
        let decision = plan.decision
        guard decision.carriesVersionTags, decision.channel == .release || decision.version.isPrerelease else {
            throw BerthError(.usage, "nothing to release: \(decision.explanation)")
        }
        guard decision.reason != .noReleasableCommits else {
            throw BerthError(.usage, "nothing to release since \(decision.base?.name ?? "the start"): \(decision.explanation)")
        }
        let version = decision.version.description
        let factory = try StoreFactory(options: registryOptions, environment: context.environment)
        let ledger = try await LedgerFactory.open(ledgerOptions, context: context)

        // Check everything before changing anything.
        var steps:
            [(
                repository: String, reference: ImageReference, store: any ImageStore, document: ManifestDocument,
                tags: [PlannedTag]
            )] = []
        for image in plan.tags.images {
            let reference = try StoreFactory.reference(image)
            let repository = ImageFacts.repositoryName(reference)
            if let existing = try await ledger.event(onceKey: Self.key(repository, version)) {
                throw Self.alreadyReleased(existing, repository: repository, version: version)
            }
            let store = try factory.store(for: reference)
            let digest = try await Self.builtDigest(plan: plan, reference: reference, store: store, expected: options.digest)
            for planned in plan.tags.tags where planned.mobility == .fixed {
                if let found = try await store.resolve(reference.repository, reference: planned.tag.value), found.digest != digest
                {
                    throw BerthError(
                        .conflict,
                        "\(image):\(planned.tag.value) already points at \(found.digest.short), not the built \(digest.short): a version tag never moves"
                    )
                }
            }
            let document = try await store.fetchManifest(reference.repository, reference: digest.description)
            steps.append((repository, reference, store, document, plan.tags.tags))
        }
        if dryRun {
            for step in steps {
                Terminal.write(
                    "tag \(step.repository)@\(step.document.digest.short): \(step.tags.map(\.tag.value).joined(separator: " "))\n"
                )
            }
            Terminal.write(
                "git tag \(decision.tagName) at \(decision.headCommit.prefix(12))\(noPushTag ? "" : ", pushed to \(context.configuration.remote)")\n"
            )
            Terminal.write("record release \(version)\n")
            return
        }

        let actor = LedgerFactory.actor(context)
        for step in steps {
            var written: [String] = []
            for planned in step.tags {
                // A tag already on the digest isn't written again: a re-run, or the losers of a race,
                // then send no writes for the registry to serialise (Distribution answered 500 under them).
                let current = try await step.store.resolve(step.reference.repository, reference: planned.tag.value)
                if current?.digest == step.document.digest { continue }
                try await step.store.pushManifest(
                    step.reference.repository, reference: planned.tag.value, manifest: step.document)
                written.append(planned.tag.value)
                CrashPoint.reached("release.image-tagged")
            }
            for planned in step.tags {
                let landed = try await step.store.resolve(step.reference.repository, reference: planned.tag.value)
                guard landed?.digest == step.document.digest else {
                    throw BerthError(
                        .conflict,
                        "\(step.repository):\(planned.tag.value) resolves to \(landed?.digest.short ?? "nothing") after tagging, not \(step.document.digest.short); another run moved it: run berth release again"
                    )
                }
            }
            // What this run changed in the registry, for the audit trail (a re-run records only what it wrote).
            if !written.isEmpty {
                try await ledger.append(
                    LedgerEvent(
                        kind: .tagged, repository: step.repository, version: version, digest: step.document.digest.description,
                        gitSHA: decision.headCommit, actor: actor, time: LedgerFactory.now, reason: "release \(version)",
                        details: ["tags": written.joined(separator: ",")]))
            }
        }
        CrashPoint.reached("release.images-tagged")
        try context.git.createAnnotatedTag(decision.tagName, at: decision.headCommit, message: "Release \(version)")
        CrashPoint.reached("release.git-tagged")
        let remote = context.configuration.remote
        let hasRemote = try context.git.remoteURL(remote) != nil
        let pushed = !noPushTag && hasRemote
        if pushed { try context.git.pushTag(decision.tagName, remote: remote, commit: decision.headCommit) }
        CrashPoint.reached("release.git-pushed")

        // Every image's release in one transaction: a crash or a lost race leaves all of them or none.
        let now = LedgerFactory.now
        let recorded: [LedgerEvent]
        do {
            recorded = try await ledger.append(
                all: steps.map { step in
                    LedgerEvent(
                        kind: .released, repository: step.repository, version: version,
                        digest: step.document.digest.description,
                        gitSHA: decision.headCommit, actor: actor, time: now,
                        reason: decision.explanation,
                        details: [
                            "tags": step.tags.map(\.tag.value).joined(separator: ","), "gitTag": decision.tagName,
                            "gitTagPushed": pushed ? remote : "",
                        ],
                        onceKey: Self.key(step.repository, version))
                })
        } catch let conflict as LedgerConflict {
            let repository = steps.first { Self.key($0.repository, version) == conflict.key }?.repository ?? conflict.key
            throw Self.alreadyReleased(conflict.existing, repository: repository, version: version)
        }
        CrashPoint.reached("release.recorded")
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    ReleaseDocument(
                        version: version, gitTag: decision.tagName, commit: decision.headCommit,
                        images: recorded.map { .init(repository: $0.repository, digest: $0.digest ?? "", event: $0.id) })) + "\n")
        } else {
            for event in recorded {
                Terminal.write("released \(version): \(event.repository)@\(event.digest ?? "") (event \(event.id ?? 0))\n")
            }
            Terminal.write(
                "git tag \(decision.tagName) at \(decision.headCommit.prefix(12))\(pushed ? " pushed to \(remote)" : "")\n")
        }
    }

    static func key(_ repository: String, _ version: String) -> String { "release:\(repository):\(version)" }

    static func alreadyReleased(_ event: LedgerEvent?, repository: String, version: String) -> BerthError {
        guard let event else { return BerthError(.conflict, "\(repository) \(version) is already released") }
        return BerthError(
            .conflict,
            "\(repository) \(version) is already released (event \(event.id ?? 0) by \(event.actor) at \(RFC3339.utc(seconds: Int64(event.time))), digest \(event.digest.flatMap { Digest($0)?.short } ?? "?")); nothing to do"
        )
    }

    /// The built image: --digest, else what the plan's sha- tag (or its version tag) resolves to.
    static func builtDigest(plan: ReleasePlan, reference: ImageReference, store: any ImageStore, expected: String?) async throws
        -> Digest
    {
        if let expected {
            guard let digest = Digest(expected) else {
                throw BerthError(.usage, "--digest '\(expected)' is not a digest (sha256:…)")
            }
            guard try await store.resolve(reference.repository, reference: digest.description) != nil else {
                throw BerthError(
                    .failure,
                    "\(ImageFacts.repositoryName(reference))@\(digest.short) is not in the registry: push the build first (berth build)"
                )
            }
            return digest
        }
        let candidates =
            plan.tags.tags.filter { $0.tag.value.hasPrefix("sha-") } + plan.tags.tags.filter { $0.mobility == .fixed }
        for candidate in candidates {
            if let found = try await store.resolve(reference.repository, reference: candidate.tag.value) { return found.digest }
        }
        throw BerthError(
            .failure,
            "no built image for this commit in \(ImageFacts.repositoryName(reference)) (looked for \(candidates.map(\.tag.value).joined(separator: ", "))): run berth build first, or pass --digest"
        )
    }
}

struct ReleaseDocument: Encodable {
    struct Image: Encodable {
        let repository: String
        let digest: String
        let event: Int64?
    }
    let version: String
    let gitTag: String
    let commit: String
    let images: [Image]
}
