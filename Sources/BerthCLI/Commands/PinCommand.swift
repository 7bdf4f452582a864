import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Pin each FROM image:tag to its digest (the index digest for multi-platform images).",
        discussion:
            "Rewrites FROM image:tag to FROM image:tag@sha256:… through the registry, keeping flags, stage names and "
            + "every other line as they are. --check changes nothing and exits 1 when anything is unpinned.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "The Dockerfile (default: Dockerfile or Containerfile here).") var path: String?
    @Flag(help: "Only report unpinned images; exit 1 when there are any.") var check = false

    func run() async throws {
        let location = try DockerfileLocation(path)
        let dockerfile = try location.parse()
        let unpinned = try DockerfilePinner.unpinned(dockerfile)
        let name = URL(fileURLWithPath: location.path).lastPathComponent
        if check {
            for item in unpinned { Terminal.write("\(name):\(item.line): FROM \(item.image) is not pinned by digest\n") }
            if !unpinned.isEmpty { throw ExitCode(ExitCodes.failure) }
            return
        }
        guard !unpinned.isEmpty else {
            if !global.quiet { Terminal.write("\(name): every base image is pinned\n") }
            return
        }
        let factory = try StoreFactory(options: registry, environment: Environment.variables)
        var digests: [Int: (image: String, digest: Digest)] = [:]
        for item in unpinned {
            let store = try factory.store(for: item.reference)
            guard let descriptor = try await store.resolve(item.reference.repository, reference: item.reference.reference) else {
                throw BerthError(
                    .failure, "\(name):\(item.line): \(item.image) does not exist in \(store.displayName); fix the tag")
            }
            digests[item.line] = (item.image, descriptor.digest)
            if !global.quiet { Terminal.write("\(name):\(item.line): \(item.image) → \(descriptor.digest)\n") }
        }
        let text = DockerfilePinner.pin(dockerfile, digests: digests)
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: location.path), options: .atomic) } catch {
            throw BerthError(.failure, "can't write '\(location.path)': \(error.localizedDescription)")
        }
    }
}
