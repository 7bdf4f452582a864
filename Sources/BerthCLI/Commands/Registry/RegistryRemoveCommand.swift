import ArgumentParser
import BerthCore

struct RegistryRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Delete one tag (its other tags stay) or, by digest, a manifest with all its tags.",
        discussion:
            "Shows what would be deleted unless --yes. A tag is deleted safely: berth points it at a unique "
            + "throwaway manifest and deletes that, so aliases of the image survive. -q prints nothing once deleted.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo:tag, host/repo@sha256:…, or oci:PATH:tag.") var reference: String
    @Flag(help: "Really delete (the default only shows what would go).") var yes = false
    @Flag(name: .customLong("dry-run"), help: "Only show what would go (the default without --yes).") var dryRun = false

    func run() async throws {
        let parsed = try StoreFactory.reference(reference)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: parsed)
        let removal = ImageRemoval(store: store)
        let plan = try await removal.preview(parsed)
        let deleting = yes && !dryRun
        if deleting { try await removal.run(plan) }
        if global.json {
            Terminal.write(try JSONOutput.encode(Outcome(deleted: deleting, description: plan.description)) + "\n")
        } else if !deleting {
            Terminal.write(
                "would delete \(plan.description) from \(store.displayName)/\(parsed.repository); pass --yes to delete\n")
        } else if !global.quiet {
            Terminal.write("deleted \(plan.description)\n")
        }
    }

    /// `--json`: whether it was deleted (false for a preview) and what.
    struct Outcome: Encodable {
        let deleted: Bool
        let description: String
    }
}
