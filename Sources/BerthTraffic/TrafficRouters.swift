import BerthCore

/// Builds the router berth.yaml's `canary.<env>.traffic` names: the composition root's one call.
public enum TrafficRouters {
    /// `directory` is the project's (relative include and manifest paths resolve against it); `kubectl`
    /// overrides the kubectl found on PATH. Throws a usage error for settings a provider could misread.
    public static func make(_ settings: TrafficSettings, directory: String, kubectl: String? = nil) throws -> any TrafficRouter {
        switch settings.provider {
        case .nginx(let nginx): try NginxRouter(settings: nginx, directory: directory)
        case .haproxy(let haproxy): try HAProxyRouter(settings: haproxy)
        case .kubernetes(let kubernetes): try KubernetesRouter(settings: kubernetes, directory: directory, kubectl: kubectl)
        }
    }
}
