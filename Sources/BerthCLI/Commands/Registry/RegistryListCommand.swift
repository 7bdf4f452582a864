import ArgumentParser
import BerthCore

struct RegistryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List a repository's tags, every page, in the registry's order.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo or oci:PATH.") var repository: String

    func run() async throws {
        let reference = try StoreFactory.reference(repository)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: reference)
        let tags = try await store.listTags(reference.repository)
        if global.json {
            Terminal.write(try JSONOutput.encode(tags) + "\n")
        } else if !tags.isEmpty {
            Terminal.write(tags.joined(separator: "\n") + "\n")
        }
    }
}
