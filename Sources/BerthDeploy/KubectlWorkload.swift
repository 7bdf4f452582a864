import BerthCore
import BerthProcess

/// The workload as Kubernetes runs it: `kubectl set image` on the Deployment, then `rollout status`
/// until it is done or the health timeout passes. An argument vector, never a shell.
public struct KubectlWorkload: Workload {
    /// The kubectl binary; nil finds it on PATH when needed.
    public let executable: String?

    public init(executable: String? = nil) { self.executable = executable }

    public func roll(_ image: String, environment: String, settings: DeploySettings) async throws -> String {
        guard let context = settings.kubectlContext, let name = settings.kubectlDeployment,
            let container = settings.kubectlContainer
        else {
            throw BerthError(.usage, "deploy.\(environment).kubectl_context needs kubectl_deployment and container in berth.yaml")
        }
        guard let kubectl = executable ?? ProcessRunner.locate("kubectl") else {
            throw BerthError(
                .failure, "kubectl is not on PATH, and deploy.\(environment).kubectl_context is set: install kubectl or remove it"
            )
        }
        // `--flag=value`, so a value is never read as an option; berth.yaml holds Kubernetes names only.
        let scope = ["--context=\(context)"] + (settings.kubectlNamespace.map { ["--namespace=\($0)"] } ?? [])
        for arguments in [
            scope + ["set", "image", "deployment/\(name)", "\(container)=\(image)"],
            scope + ["rollout", "status", "deployment/\(name)", "--timeout=\(settings.healthTimeoutSeconds)s"],
        ] {
            let output = try ProcessRunner.run(kubectl, arguments)
            guard output.status == 0 else {
                throw BerthError(
                    .failure,
                    "kubectl \(arguments.dropFirst(scope.count).prefix(2).joined(separator: " ")) failed: \(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"
                )
            }
        }
        return context
    }
}
