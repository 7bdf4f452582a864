/// Where an environment's deployment is described (berth.yaml `deploy.<environment>`), so a rollback
/// (or a promotion) can point it at the new image.
public struct DeploySettings: Hashable, Sendable {
    /// A kustomization.yaml whose `images:` entry names the repository.
    public var kustomization: String?
    /// A manifest whose `image:` lines name the repository (a plain Deployment).
    public var deployment: String?
    /// A Helm values file and the dotted key of the image tag in it.
    public var helmValues: String?
    public var helmKey = "image.tag"
    /// `kubectl --context CONTEXT set image deployment/NAME CONTAINER=IMAGE`, then `rollout status`.
    public var kubectlContext: String?
    public var kubectlNamespace: String?
    public var kubectlDeployment: String?
    public var kubectlContainer: String?
    /// Polled until it answers 2xx, or the rollback reports that it didn't.
    public var healthURL: String?
    public var healthTimeoutSeconds = 60

    public init() {}

    /// The files this environment's deployment lives in.
    public var files: [String] { [kustomization, deployment, helmValues].compactMap { $0 } }
}
