import ArgumentParser
import BerthCore

struct RegistryDigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "Print the digest a tag resolves to (the index digest for multi-platform images).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo:tag or oci:PATH:tag.") var reference: String

    func run() async throws {
        let parsed = try StoreFactory.reference(reference)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: parsed)
        guard let descriptor = try await store.resolve(parsed.repository, reference: parsed.reference) else {
            throw BerthError(.failure, "'\(reference)' does not exist; list the tags with berth registry ls")
        }
        if global.json {
            Terminal.write(try JSONOutput.encode(["digest": descriptor.digest.description]) + "\n")
        } else {
            Terminal.write(descriptor.digest.description + "\n")
        }
    }
}
