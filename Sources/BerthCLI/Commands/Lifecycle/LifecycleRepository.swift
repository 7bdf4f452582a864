import BerthCore
import BerthOCI

/// The repository lifecycle commands talk about: --image, else the first of image.names.
enum LifecycleRepository {
    static func resolve(_ image: String?, context: CommandContext) throws -> String {
        guard let name = image ?? context.configuration.images.first else {
            throw BerthError(.usage, "no image repository: pass --image REGISTRY/REPO or set image.names in berth.yaml")
        }
        return name
    }

    /// The repository, its reference and the store holding it (registry or layout): what the commands
    /// that move tags (promote, rollback, prune) start from.
    static func store(_ image: String?, context: CommandContext, options: RegistryOptions) throws -> (
        repository: String, reference: ImageReference, store: any ImageStore
    ) {
        let repository = try resolve(image, context: context)
        let reference = try StoreFactory.reference(repository)
        return (repository, reference, try StoreFactory(options: options, environment: context.environment).store(for: reference))
    }
}
