import ArgumentParser
import BerthCore

struct RegistryRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Delete one tag (its other tags stay) or, by digest, a manifest with all its tags.",
        discussion:
            "Shows what would be deleted unless --yes. A tag is deleted safely: berth points it at a unique "
            + "throwaway manifest and deletes that, so aliases of the image survive.")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo:tag, host/repo@sha256:…, or oci:PATH:tag.") var reference: String
    @Flag(help: "Really delete (the default only shows what would go).") var yes = false

    func run() async throws {
        let parsed = try StoreFactory.reference(reference)
        guard parsed.tag != nil || parsed.digest != nil else {
            throw BerthError(.usage, "'\(reference)' names no tag or digest; say which to delete (repo:tag or repo@sha256:…)")
        }
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: parsed)
        guard let descriptor = try await store.resolve(parsed.repository, reference: parsed.reference) else {
            throw BerthError(.failure, "'\(reference)' does not exist; nothing to delete")
        }
        let what =
            parsed.digest != nil
            ? "manifest \(descriptor.digest) and every tag on it" : "tag '\(parsed.tag!)' (at \(descriptor.digest.short))"
        guard yes else {
            Terminal.write("would delete \(what) from \(store.displayName)/\(parsed.repository); pass --yes to delete\n")
            return
        }
        if let digest = parsed.digest {
            try await store.deleteManifest(parsed.repository, digest: digest)
        } else {
            try await store.deleteTag(parsed.repository, tag: parsed.tag!)
        }
        Terminal.write("deleted \(what)\n")
    }
}
