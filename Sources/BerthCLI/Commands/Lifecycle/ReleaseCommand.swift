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
            + "With berth.yaml's sign: (or --sign --key FILE) the digest is signed and attested before the release is "
            + "recorded, writing only what the key's own verification doesn't find (nothing, when berth build signed it). "
            + "Exit codes: 0 released, 3 already released or a tag conflict, 1 git/registry/ledger failure, 64 usage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var signOptions: SignOptions

    @Flag(name: .customLong("no-push-tag"), help: "Create the git tag locally only.") var noPushTag = false
    @Flag(name: .customLong("dry-run"), help: "Show the steps; change nothing.") var dryRun = false

    @Option(
        name: .customLong("image"),
        help: ArgumentHelp("An image repository to release (repeatable; default: image.names).", valueName: "NAME"))
    var image: [String] = []

    func run() async throws {
        let context = try CommandContext(global: global)
        var planOptions = options
        planOptions.registry = false
        if !options.images.isEmpty {
            Terminal.writeError(
                "berth: note: release --images is deprecated; use --image NAME (repeatable), as the other lifecycle commands do\n"
            )
        }
        if !image.isEmpty { planOptions.images = image }
        let plan = try await context.plan(planOptions, registry: registryOptions)
        try failIfChecksFailed(plan)
        // Read before anything moves: a key that can't be read (or a wrong passphrase) releases nothing.
        let signing = dryRun ? nil : try context.signing(signOptions)
        let service = ReleaseService(try await context.lifecycle(ledgerOptions, registry: registryOptions), git: try context.git)
        let remote = context.configuration.remote
        let preview = try await service.preview(
            ReleaseRequest(plan: plan, digest: options.digest, pushGitTag: !noPushTag, remote: remote))
        if dryRun {
            for image in preview.images {
                Terminal.write("tag \(image.repository)@\(image.digest.short): \(image.tags.joined(separator: " "))\n")
            }
            Terminal.write(
                "git tag \(preview.gitTag) at \(preview.commit.prefix(12))\(noPushTag ? "" : ", pushed to \(remote)")\n")
            if signOptions.sign ?? (signOptions.key != nil || context.configuration.signing != nil) {
                Terminal.write("sign and attest what the key hasn't yet\n")
            }
            Terminal.write("record release \(preview.version)\n")
            return
        }
        // Signed before the release is recorded, so a recorded release carries its signature; what the
        // build signed already is found and not written again.
        let signed = try await signing?.sign(
            preview.images.map { (try StoreFactory.reference($0.repository), $0.digest) },
            template: TrustComposition.provenance(
                plan, main: context.configuration.build.main, startedOn: Date(), environment: context.environment),
            factory: StoreFactory(options: registryOptions, environment: context.environment),
            quiet: global.quiet || global.json)
        let outcome = try await service.run(preview)
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    ReleaseDocument(
                        version: preview.version, gitTag: outcome.gitTag, commit: outcome.commit,
                        images: outcome.records.map {
                            .init(repository: $0.repository, digest: $0.digest.description, event: $0.eventID)
                        }, signing: signed
                    )) + "\n")
        } else {
            for record in outcome.records {
                Terminal.write(
                    "released \(record.version): \(record.repository)@\(record.digest) (event \(record.eventID ?? 0))\n")
            }
            Terminal.write(
                "git tag \(outcome.gitTag) at \(outcome.commit.prefix(12))\(outcome.pushedTo.map { " pushed to \($0)" } ?? "")\n")
        }
    }
}
