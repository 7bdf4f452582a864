import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Plan (and with --yes, carry out) the removal of old image tags under berth.yaml's retention rules.",
        discussion:
            "Keeps the newest N releases per channel (retention.keep, default 5), tags matching retention.keep_tags "
            + "(latest and v1 / v1.2 by default), every digest an environment runs or ran in its last "
            + "retention.keep_promotions promotions, tags younger than retention.keep_days, and every alias of a kept "
            + "image. Without --yes it only lists the plan (as every deleting command of berth does). With --yes each tag is removed with the safe single-tag "
            + "delete (never a digest a kept tag names); a layout is then garbage-collected. Recorded in the ledger.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Option(help: ArgumentHelp("The image repository, or oci:PATH (default: the first of image.names).", valueName: "NAME"))
    var image: String?
    @Option(help: ArgumentHelp("Releases kept per channel (default: retention.keep).", valueName: "N")) var keep: Int?
    @Flag(help: "Delete the tags the plan lists.") var yes = false
    @Flag(help: ArgumentHelp("Deprecated spelling of --yes.", visibility: .hidden)) var apply = false
    @Flag(name: .customLong("dry-run"), help: "Only list the plan (the default without --yes).") var dryRun = false

    func run() async throws {
        let context = try CommandContext(global: global)
        if apply { Terminal.writeError("berth: note: prune --apply is deprecated; use --yes, as registry rm does\n") }
        let deleting = (yes || apply) && !dryRun
        var policy = context.configuration.retention
        if let keep { policy.keepReleases = keep }
        let service = RetentionService(
            try await context.lifecycle(ledgerOptions, registry: registryOptions),
            environments: context.configuration.environments,
            tagPrefix: context.configuration.tags.prefix)
        let preview = try await service.preview(repository: try context.repository(image), policy: policy)
        let plan = preview.plan
        if deleting { try await service.run(preview) }
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
                try JSONOutput.encode(Document(applied: deleting, keep: rows(plan.keep), delete: rows(plan.delete))) + "\n")
            return
        }
        for entry in plan.keep where global.verbose { Terminal.write("keep    \(entry.tag)  (\(entry.reason))\n") }
        for entry in plan.delete {
            Terminal.write("\(deleting ? "deleted" : "delete ") \(entry.tag)  \(Digest(entry.digest)?.short ?? entry.digest)\n")
        }
        Terminal.write(
            "\(plan.keep.count) kept, \(plan.delete.count) \(deleting ? "deleted" : "to delete")\(deleting || plan.delete.isEmpty ? "" : " (run again with --yes)")\n"
        )
    }
}
