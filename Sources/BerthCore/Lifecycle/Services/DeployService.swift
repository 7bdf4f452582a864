import BerthOCI

/// What a deployment did, for the ledger (`commit`, `kubectl`, `health`), and whether the service came
/// up healthy (it was deployed either way; the caller records it, then reports `unhealthy`).
public struct DeployOutcome: Sendable {
    public var details: [String: String] = [:]
    public var unhealthy: BerthError?
}

/// What a deployment will do, for `--dry-run`: the manifests it rewrites, the workload it rolls, the
/// health URL it waits for.
public struct DeployPlan: Hashable, Sendable {
    public let files: [String]
    /// The kubectl context, when a workload is rolled.
    public let workload: String?
    public let healthURL: String?

    /// One line per step (`rewrite k8s/kustomization.yaml`, `kubectl prod-eu`, `wait for https://…`).
    public var steps: [String] {
        files.map { "rewrite \($0)" } + (workload.map { ["kubectl \($0) set image + rollout status"] } ?? [])
            + (healthURL.map { ["wait for \($0)"] } ?? [])
    }
}

/// Points an environment's deployment at an image, as berth.yaml `deploy.<environment>` describes it:
/// rewrites the manifests (kustomization, Deployment, Helm values) and commits what differs from HEAD,
/// rolls the workload (kubectl) when one is set, and waits for the health URL. Shared by promotion and
/// rollback, which record what it returns.
public struct DeployService: Sendable {
    public let files: any ManifestFiles
    public let git: any GitWriter
    /// nil: no workload tool here; a `kubectl_context` in the settings is then refused.
    public let workload: (any Workload)?
    public let health: any HealthProbe
    /// Commit the rewritten manifests (berth.yaml `deploy_commit`).
    public let commitChanges: Bool
    public let checkpoint: Checkpoint

    public init(
        files: any ManifestFiles, git: any GitWriter, workload: (any Workload)?, health: any HealthProbe, commitChanges: Bool,
        checkpoint: Checkpoint = .none
    ) {
        self.files = files
        self.git = git
        self.workload = workload
        self.health = health
        self.commitChanges = commitChanges
        self.checkpoint = checkpoint
    }

    public static func preview(_ settings: DeploySettings) -> DeployPlan {
        DeployPlan(files: settings.files, workload: settings.kubectlContext, healthURL: settings.healthURL)
    }

    public func apply(
        _ settings: DeploySettings, environment: String, repository: String, tag: String, digest: Digest, commitMessage: String
    ) async throws -> DeployOutcome {
        var outcome = DeployOutcome()
        try rewrite(settings, environment: environment, repository: repository, tag: tag, digest: digest)
        try checkpoint.reached(.deployRewritten)
        // What differs from HEAD, not only what this run changed: a run that died before its commit
        // left the files rewritten, and its re-run commits them.
        let changed = try settings.files.filter { try git.hasUncommittedChanges($0) }
        if !changed.isEmpty && commitChanges {
            outcome.details[DetailKey.commit] = try git.commit(files: changed, message: commitMessage)
        }
        if settings.kubectlContext != nil {
            guard settings.kubectlDeployment != nil, settings.kubectlContainer != nil else {
                throw BerthError(
                    .usage, "deploy.\(environment).kubectl_context needs kubectl_deployment and container in berth.yaml")
            }
            guard let workload else {
                throw BerthError(.failure, "deploy.\(environment).kubectl_context is set, but no workload tool is available here")
            }
            outcome.details[DetailKey.kubectl] = try await workload.roll(
                "\(repository):\(tag)@\(digest)", environment: environment, settings: settings)
        }
        if let url = settings.healthURL {
            switch try await health.waitHealthy(url, timeoutSeconds: settings.healthTimeoutSeconds) {
            case .healthy(let status):
                outcome.details[DetailKey.health] = String(status)
            case .unhealthy(let last):
                outcome.details[DetailKey.health] = "unhealthy"
                outcome.unhealthy = BerthError(
                    .failure,
                    "\(url) didn't answer 2xx within \(settings.healthTimeoutSeconds) s (last: \(last)); \(environment) runs the new image but isn't healthy — check the service"
                )
            }
        }
        return outcome
    }

    /// Rewrites the environment's manifests where they don't already name the image.
    func rewrite(_ settings: DeploySettings, environment: String, repository: String, tag: String, digest: Digest) throws {
        let digest = digest.description
        let edits: [(String?, (String) throws(DeployManifestEditor.Problem) -> String)] = [
            (
                settings.kustomization,
                { text throws(DeployManifestEditor.Problem) in
                    try DeployManifestEditor.kustomization(text, repository: repository, tag: tag, digest: digest)
                }
            ),
            (
                settings.deployment,
                { text throws(DeployManifestEditor.Problem) in
                    try DeployManifestEditor.containerImage(text, repository: repository, tag: tag, digest: digest)
                }
            ),
            (
                settings.helmValues,
                { text throws(DeployManifestEditor.Problem) in
                    try DeployManifestEditor.helmValue(text, key: settings.helmKey, tag: tag, digest: digest)
                }
            ),
        ]
        for (file, edit) in edits {
            guard let file else { continue }
            guard let text = try files.read(file) else {
                throw BerthError(
                    .usage, "deploy manifest '\(file)' of \(environment) doesn't exist: fix deploy.\(environment) in berth.yaml")
            }
            let updated: String
            do { updated = try edit(text) } catch {
                throw BerthError(.badInput, "deploy manifest '\(file)': \(error.description)")
            }
            if updated != text { try files.write(file, text: updated) }
        }
    }
}
