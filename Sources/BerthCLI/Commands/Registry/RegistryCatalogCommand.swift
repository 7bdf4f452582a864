import ArgumentParser
import BerthCore

struct RegistryCatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "List a registry's repositories, every page.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "The registry host[:port].") var host: String

    func run() async throws {
        let client = try StoreFactory(options: registry, environment: Environment.variables).client(host)
        let repositories = try await client.catalog()
        if global.json {
            Terminal.write(try JSONOutput.encode(repositories) + "\n")
        } else if !repositories.isEmpty {
            Terminal.write(repositories.joined(separator: "\n") + "\n")
        }
    }
}
