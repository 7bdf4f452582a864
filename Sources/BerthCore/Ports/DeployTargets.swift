/// The files an environment's deployment is described in (kustomization, Deployment, Helm values),
/// by paths relative to the project. BerthDeploy implements it on the file system.
public protocol ManifestFiles: Sendable {
    /// The file's text; nil when it doesn't exist.
    func read(_ path: String) throws -> String?
    /// Replaces the file's text atomically.
    func write(_ path: String, text: String) throws
}

/// What runs the image: `kubectl set image` and `rollout status` in BerthDeploy.
public protocol Workload: Sendable {
    /// Points the environment's workload at `image` (`repo:tag@digest`) and waits for the rollout;
    /// returns what it acted on for the ledger (the kubectl context). Throws a `.failure` quoting the tool.
    func roll(_ image: String, environment: String, settings: DeploySettings) async throws -> String
}

/// What the health URL answered.
public enum HealthAnswer: Hashable, Sendable {
    /// A 2xx status.
    case healthy(status: Int)
    /// No 2xx within the timeout; `last` is what was seen last (`HTTP 503`, `no answer`).
    case unhealthy(last: String)
}

/// Polls a health URL until it answers 2xx or the timeout passes (BerthDeploy: over HTTP).
public protocol HealthProbe: Sendable {
    func waitHealthy(_ url: String, timeoutSeconds: Int) async throws -> HealthAnswer
}
