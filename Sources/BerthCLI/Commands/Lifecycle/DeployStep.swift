import BerthCore
import BerthGit
import BerthProcess
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Points an environment's deployment at an image, as berth.yaml `deploy.<environment>` describes it:
/// rewrites the manifests (kustomization, Deployment, Helm values) and commits them, runs `kubectl set
/// image` + `rollout status` when a context is set, and waits for the health URL. Shared by promote and
/// rollback, which record what it returns.
struct DeployStep {
    let environment: String
    let settings: DeploySettings
    let root: String
    let git: GitRepository
    let commitChanges: Bool

    /// What was done, for the ledger: `commit`, `kubectl`, `health`; `unhealthy` when the health URL
    /// never answered 2xx (the deployment happened; the caller records it, then reports that).
    struct Outcome {
        var details: [String: String] = [:]
        var unhealthy: Error?
    }

    func apply(repository: String, tag: String, digest: String, commitMessage: String) async throws -> Outcome {
        var outcome = Outcome()
        try rewrite(repository: repository, tag: tag, digest: digest)
        CrashPoint.reached("deploy.rewritten")
        // What differs from HEAD, not only what this run changed: a run that died before its commit
        // left the files rewritten, and its re-run commits them.
        let files = try settings.files.filter { try git.hasUncommittedChanges($0) }
        if !files.isEmpty && commitChanges {
            outcome.details["commit"] = try git.commit(files: files, message: commitMessage)
        }
        if let context = settings.kubectlContext {
            try kubectl(context: context, image: "\(repository):\(tag)@\(digest)")
            outcome.details["kubectl"] = context
        }
        if let url = settings.healthURL {
            do { outcome.details["health"] = try await waitHealthy(url, timeout: settings.healthTimeoutSeconds) } catch {
                outcome.details["health"] = "unhealthy"
                outcome.unhealthy = error
            }
        }
        return outcome
    }

    /// Rewrites the environment's manifests where they don't already name the image.
    func rewrite(repository: String, tag: String, digest: String) throws {
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
            let path = "\(root)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BerthError(
                    .usage, "deploy manifest '\(file)' of \(environment) doesn't exist: fix deploy.\(environment) in berth.yaml")
            }
            let text = String(decoding: data, as: UTF8.self)
            let updated: String
            do { updated = try edit(text) } catch {
                throw BerthError(.badInput, "deploy manifest '\(file)': \(error.description)")
            }
            if updated != text { try Data(updated.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) }
        }
    }

    func kubectl(context: String, image: String) throws {
        guard let name = settings.kubectlDeployment, let container = settings.kubectlContainer else {
            throw BerthError(.usage, "deploy.\(environment).kubectl_context needs kubectl_deployment and container in berth.yaml")
        }
        guard let kubectl = ProcessRunner.locate("kubectl") else {
            throw BerthError(
                .failure, "kubectl is not on PATH, and deploy.\(environment).kubectl_context is set: install kubectl or remove it"
            )
        }
        let scope = ["--context", context] + (settings.kubectlNamespace.map { ["--namespace", $0] } ?? [])
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
    }

    /// Polls `url` until a 2xx or the timeout; returns what it saw.
    func waitHealthy(_ url: String, timeout: Int) async throws -> String {
        guard let target = URL(string: url) else {
            throw BerthError(.usage, "deploy.\(environment).health_url '\(url)' is not a URL")
        }
        let deadline = Date().addingTimeInterval(Double(timeout))
        var last = "no answer"
        while Date() < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: target),
                let status = (response as? HTTPURLResponse)?.statusCode
            {
                if (200..<300).contains(status) { return "\(status)" }
                last = "HTTP \(status)"
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BerthError(
            .failure,
            "\(url) didn't answer 2xx within \(timeout) s (last: \(last)); \(environment) runs the new image but isn't healthy — check the service"
        )
    }
}
