import ArgumentParser
import BerthCore
import BerthOCI

struct RegistryCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy an image, every platform, between repositories, registries and layouts.",
        discussion:
            "Blobs already at the destination are skipped, blobs in another repository of the same registry (the source's, "
            + "or one they were seen in before: the blob-location cache, BERTH_BLOB_CACHE) are mounted, the rest are streamed "
            + "(one PUT per blob; BERTH_REGISTRY_CHUNK_SIZE for PATCH chunks) and verified; tags are written last and the "
            + "destination digest is checked. "
            + "With --referrers every referrer of every manifest goes too (signatures, attestations, SBOMs: the referrers API "
            + "or the sha256-<hex> fallback index, written or extended at a destination without the API, and their own "
            + "referrers) with cosign's .sig/.att/.sbom tags, manifests as their bytes; a destination tag on another digest "
            + "is left (exit 3) unless --force; a release the ledger knows is recorded as replicated.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "Source: host/repo:tag, host/repo@sha256:…, or oci:PATH:tag.") var source: String
    @Argument(help: "Destination: host/repo[:tag] or oci:PATH[:tag] (the source's tag by default).") var destination: String

    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(help: "Blob transfers at once.") var concurrency = 4
    @Flag(help: "Copy every referrer (signatures, attestations, SBOMs) and cosign tag of the image too.") var referrers = false
    @Flag(help: "With --referrers: move a destination tag that names another digest.") var force = false

    func run() async throws {
        let from = try StoreFactory.reference(source)
        let to = try StoreFactory.reference(destination)
        let factory = try StoreFactory(options: registry, environment: Environment.variables)
        let sourceStore = try factory.store(for: from)
        let destinationStore = try factory.store(for: to, createLayout: true)
        let tags = (to.tag ?? from.tag).map { [$0] } ?? []
        let progress = TransferProgress(quiet: global.quiet)
        if referrers {
            try await copyWithReferrers(
                from: from, to: to, stores: (sourceStore, destinationStore), tags: tags, progress: progress)
            return
        }
        if force { throw BerthError(.usage, "--force moves tags of a copy with --referrers only; add --referrers") }
        var copier = ImageCopier(source: sourceStore, destination: destinationStore, onEvent: { progress.report($0) })
        copier.concurrency = concurrency
        let document = try await copier.copy(from.repository, reference: from.reference, to: to.repository, tags: tags)
        if !global.quiet { Terminal.writeError(progress.summary(document.digest)) }
        if global.json {
            Terminal.write(try JSONOutput.encode(["digest": document.digest.description, "destination": to.description]) + "\n")
        } else {
            Terminal.write(document.digest.description + "\n")
        }
    }

    /// The image and everything attached to it, through the core's replication.
    func copyWithReferrers(
        from: ImageReference, to: ImageReference, stores: (any ImageStore, any ImageStore), tags: [String],
        progress: TransferProgress
    ) async throws {
        let context = try CommandContext(global: global)
        var service = ReplicationService(source: stores.0, destination: stores.1)
        service.sourceName = { ImageReference(store: from.store, repository: $0, tag: nil, digest: nil).ledgerName }
        service.destinationName = { ImageReference(store: to.store, repository: $0, tag: nil, digest: nil).ledgerName }
        service.blobConcurrency = concurrency
        service.force = force
        service.checkpoint = context.checkpoint
        service.recorder = try await context.replicationRecorder(ledgerOptions)
        service.onEvent = { progress.report($0) }
        let job = ReplicationJob(
            sourceRepository: from.repository, reference: from.reference, destinationRepository: to.repository, tags: tags)
        let report = try await service.run([job])
        let document = ReplicationDocument(report, source: service.sourceName, destination: service.destinationName)
        if global.json {
            Terminal.write(try JSONOutput.encode(document) + "\n")
        } else {
            if !global.quiet { Terminal.writeError(document.text(verbose: true)) }
            if let image = report.images.first { Terminal.write(image.digest.description + "\n") }
        }
        if let error = document.outcome(report) { throw error }
    }
}
