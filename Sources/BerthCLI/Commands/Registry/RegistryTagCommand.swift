import ArgumentParser
import BerthCore
import BerthOCI

struct RegistryTagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Add tags to an image: one GET, then a PUT of the identical bytes per tag (never re-serialised).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "The image: host/repo:tag, host/repo@sha256:…, or oci:PATH:tag.") var source: String
    @Argument(help: "New tags, in the same repository.") var tags: [String]

    @Option(help: "Tags written at once.") var concurrency = 16

    func run() async throws {
        let parsed = try StoreFactory.reference(source)
        for tag in tags {
            if let violation = ImageTag.violation(in: tag) {
                throw BerthError(.badInput, "tag '\(tag)': \(violation); use [A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
            }
        }
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: parsed)
        let document = try await Retagger(store: store, concurrency: concurrency).retag(
            parsed.repository, reference: parsed.reference, tags: tags)
        if !global.quiet { Terminal.writeError("tagged \(document.digest.short) as \(tags.joined(separator: ", "))\n") }
    }
}
