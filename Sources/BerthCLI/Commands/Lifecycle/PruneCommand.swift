import ArgumentParser
import BerthCore
import BerthLayout
import BerthOCI
import Foundation

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Plan (and with --apply, carry out) the removal of old image tags under berth.yaml's retention rules.",
        discussion:
            "Keeps the newest N releases per channel (retention.keep, default 5), tags matching retention.keep_tags "
            + "(latest and v1 / v1.2 by default), every digest an environment runs or ran in its last "
            + "retention.keep_promotions promotions, tags younger than retention.keep_days, and every alias of a kept "
            + "image. Without --apply it only lists the plan. With --apply each tag is removed with the safe single-tag "
            + "delete (never a digest a kept tag names); a layout is then garbage-collected. Recorded in the ledger.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Option(help: ArgumentHelp("The image repository, or oci:PATH (default: the first of image.names).", valueName: "NAME"))
    var image: String?
    @Option(help: ArgumentHelp("Releases kept per channel (default: retention.keep).", valueName: "N")) var keep: Int?
    @Flag(help: "Delete the tags the plan lists.") var apply = false

    func run() async throws {
        let context = try CommandContext(global: global)
        let (repository, reference, store) = try LifecycleRepository.store(image, context: context, options: registryOptions)
        let ledger = try await LedgerFactory.open(ledgerOptions, context: context)
        var policy = context.configuration.retention
        if let keep { policy.keepReleases = keep }

        let tags = try await Self.resolveTags(store: store, repository: reference.repository)
        var environmentDigests = Set(try await ledger.status(repository: repository).compactMap(\.digest))
        for environment in context.configuration.environments {
            let recent = try await ledger.events(
                LedgerQuery(
                    repository: repository, environment: environment.name, kinds: environmentChangingKinds,
                    limit: policy.keepPromotions))
            environmentDigests.formUnion(recent.compactMap(\.digest))
        }
        var ages: [String: Double] = [:]
        for event in try await ledger.events(LedgerQuery(repository: repository, kinds: [.released, .promoted])) {
            for tag in (event.details["tags"] ?? "").split(separator: ",").map(String.init) where ages[tag] == nil {
                ages[tag] = event.time
            }
        }
        let now = LedgerFactory.now
        let plan = RetentionPlanner.plan(
            tags: tags, prefix: context.configuration.tags.prefix, policy: policy, environmentDigests: environmentDigests,
            ages: ages,
            now: now)

        if apply {
            for entry in plan.delete { try await store.deleteTag(reference.repository, tag: entry.tag) }
            if let layout = store as? OCILayoutStore { _ = try layout.garbageCollect() }
            if !plan.delete.isEmpty {
                try await ledger.append(
                    LedgerEvent(
                        kind: .pruned, repository: repository, actor: LedgerFactory.actor(context), time: now,
                        reason: "\(plan.delete.count) tags past retention",
                        details: ["tags": plan.delete.map(\.tag).joined(separator: ",")]))
            }
        }
        if global.json {
            struct Document: Encodable {
                let applied: Bool
                let keep: [[String: String]]
                let delete: [[String: String]]
            }
            func rows(_ entries: [RetentionPlan.Entry]) -> [[String: String]] {
                entries.map { ["tag": $0.tag, "digest": $0.digest, "reason": $0.reason] }
            }
            Terminal.write(
                try JSONOutput.encode(Document(applied: apply, keep: rows(plan.keep), delete: rows(plan.delete))) + "\n")
            return
        }
        for entry in plan.keep where global.verbose { Terminal.write("keep    \(entry.tag)  (\(entry.reason))\n") }
        for entry in plan.delete {
            Terminal.write("\(apply ? "deleted" : "delete ") \(entry.tag)  \(Digest(entry.digest)?.short ?? entry.digest)\n")
        }
        Terminal.write(
            "\(plan.keep.count) kept, \(plan.delete.count) \(apply ? "deleted" : "to delete")\(apply || plan.delete.isEmpty ? "" : " (run again with --apply)")\n"
        )
    }

    /// Every tag of the repository and the digest it names, a few requests at a time.
    static func resolveTags(store: any ImageStore, repository: String) async throws -> [String: String] {
        let names = try await store.listTags(repository)
        let collected = TagDigests()
        try await forEachConcurrently(names, limit: 8) { tag in
            if let descriptor = try await store.resolve(repository, reference: tag) {
                collected.set(tag, descriptor.digest.description)
            }
        }
        return collected.all
    }

    final class TagDigests: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: String] = [:]
        func set(_ tag: String, _ digest: String) { lock.withLock { values[tag] = digest } }
        var all: [String: String] { lock.withLock { values } }
    }
}
