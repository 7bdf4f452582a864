import BerthCore
import BerthGit

extension CommandContext {
    /// The planning service over the repository, able to deepen a shallow clone (`--deepen`).
    func planService() throws -> PlanService {
        let git = try git
        return PlanService(git: git, fetcher: git)
    }

    /// The versioning service over the repository, able to deepen a shallow clone (`--deepen`).
    func versionService() throws -> VersionService {
        let git = try git
        return VersionService(git: git, fetcher: git)
    }

    /// The remote `--deepen` (else berth.yaml's `version.deepen`) fetches from, nil when off: `--no-deepen`
    /// and `--offline` turn the configuration's off; `--deepen` with `--offline` contradicts itself.
    static func deepenRemote(_ options: PlanOptions, config: BerthConfiguration) throws -> String? {
        if options.offline && options.deepen == true {
            throw BerthError(
                .usage, "--deepen fetches history from the git remote and --offline forbids asking it; pass one of them")
        }
        guard !options.offline, options.deepen ?? config.version.deepen else { return nil }
        return config.remote
    }
}
