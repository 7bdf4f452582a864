import ArgumentParser
import BerthCore

struct RegistryCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy an image, every platform, between repositories, registries and layouts.",
        discussion:
            "Blobs already at the destination are skipped, blobs in another repository of the same registry are "
            + "mounted, the rest are streamed and verified; tags are written last and the destination digest is checked.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "Source: host/repo:tag, host/repo@sha256:…, or oci:PATH:tag.") var source: String
    @Argument(help: "Destination: host/repo[:tag] or oci:PATH[:tag] (the source's tag by default).") var destination: String

    @Option(help: "Blob transfers at once.") var concurrency = 4

    func run() async throws {
        let from = try StoreFactory.reference(source)
        let to = try StoreFactory.reference(destination)
        let factory = try StoreFactory(options: registry, environment: Environment.variables)
        let sourceStore = try factory.store(for: from)
        let destinationStore = try factory.store(for: to, createLayout: true)
        let tags = (to.tag ?? from.tag).map { [$0] } ?? []
        let progress = TransferProgress(quiet: global.quiet)
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
}
