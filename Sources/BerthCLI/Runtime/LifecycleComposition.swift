import BerthCore
import BerthDeploy
import Foundation

/// The live dependencies of the lifecycle services, built once per command from the context: the
/// ledger, the stores, the wall clock, the actor, and the crash checkpoint (`BERTH_CRASH_AT`).
extension CommandContext {
    /// Opens the ledger and builds the store factory (reading `--password-stdin` once); `registry` nil
    /// for commands without registry flags.
    func lifecycle(_ ledger: LedgerOptions, registry: RegistryOptions?) async throws -> LifecycleDependencies {
        let stores = try StoreFactory(options: registry, environment: environment)
        return LifecycleDependencies(
            ledger: try await LedgerFactory.open(ledger, context: self), stores: stores, time: SystemTime(), actor: actor,
            checkpoint: checkpoint)
    }

    /// A `PipelineRecorder` on the ledger (plan --record, build).
    func recorder(_ ledger: LedgerOptions) async throws -> PipelineRecorder {
        PipelineRecorder(ledger: try await LedgerFactory.open(ledger, context: self), time: SystemTime(), actor: actor)
    }

    /// Read-only ledger queries, in berth.yaml's environment order.
    func queries(_ ledger: LedgerOptions) async throws -> LedgerQueries {
        LedgerQueries(
            ledger: try await LedgerFactory.open(ledger, context: self),
            environmentOrder: configuration.environments.map(\.name))
    }

    /// The deploy service over the project's files, its git repository, kubectl and the HTTP probe.
    func deployer() throws -> DeployService {
        DeployService(
            files: ProjectManifestFiles(root: projectDirectory), git: try git, workload: KubectlWorkload(),
            health: HTTPHealthProbe(), commitChanges: configuration.deployCommit, checkpoint: checkpoint)
    }

    func promotion(_ dependencies: LifecycleDependencies) throws -> PromotionService {
        var service = PromotionService(
            dependencies, environments: configuration.environments, tagPrefix: configuration.tags.prefix,
            deployments: configuration.deploy, deployer: configuration.deploy.isEmpty ? nil : try deployer())
        service.signatureRequirements = try TrustComposition.requirements(
            configuration.environments, projectDirectory: projectDirectory)
        return service
    }

    func rollback(_ dependencies: LifecycleDependencies) throws -> RollbackService {
        RollbackService(
            dependencies, environments: configuration.environments, tagPrefix: configuration.tags.prefix,
            deployments: configuration.deploy, deployer: configuration.deploy.isEmpty ? nil : try deployer())
    }

    /// The repository a lifecycle command talks about: `--image`, else the first of image.names.
    func repository(_ image: String?) throws -> String {
        guard let name = image ?? configuration.images.first else {
            throw BerthError(.usage, "no image repository: pass --image REGISTRY/REPO or set image.names in berth.yaml")
        }
        return name
    }

    /// Who acts: the CI actor (GITHUB_ACTOR, GITLAB_USER_LOGIN), else the local user, else the account.
    var actor: String {
        ci.actor ?? environment["USER"] ?? environment["LOGNAME"] ?? Self.accountName ?? "unknown"
    }

    /// The account berth runs as, from the password database: containers and cron jobs often set no USER.
    static var accountName: String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// `BERTH_CRASH_AT=<point>` makes berth exit at that checkpoint as a SIGKILL would: the only
    /// deterministic way for the end-to-end tests to kill a process between two steps.
    var checkpoint: Checkpoint {
        guard let name = environment["BERTH_CRASH_AT"], !name.isEmpty else { return .none }
        return Checkpoint { point in
            guard point.rawValue == name else { return }
            FileHandle.standardError.write(Data("berth: crashing at \(name) (BERTH_CRASH_AT)\n".utf8))
            // _exit: no atexit handlers, no flushing, no cleanup — what a SIGKILL leaves behind.
            _exit(137)
        }
    }
}

/// The wall clock (the composition root is where time comes from).
struct SystemTime: TimeSource {
    func now() -> Double { Date().timeIntervalSince1970 }
}
