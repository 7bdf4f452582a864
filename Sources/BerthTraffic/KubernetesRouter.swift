import BerthCore
import BerthProcess
import Foundation

/// Splits traffic in Kubernetes through a manifest in the repository (GitOps): the canary Ingress of
/// ingress-nginx (`canary`, `canary-weight`, `canary-by-header`, `canary-by-header-value` annotations;
/// the stable Ingress untouched), or a Gateway API HTTPRoute (two weighted backendRefs and a header
/// rule to the canary). Both take any whole percent. The file is rewritten atomically; the canary
/// service commits it (`versionedFiles`) for a GitOps controller to apply, or, with `apply: true`, berth runs
/// `kubectl --context=C [--namespace=N] apply --filename=FILE` and puts the old file back if that fails.
/// `current()` reads the file, so a weight changed there by hand is what berth reports.
public struct KubernetesRouter: TrafficRouter {
    public let settings: TrafficSettings.Kubernetes
    /// The manifest's absolute path.
    public let manifestPath: String
    /// kubectl, when `apply` is set; nil: found on PATH when needed.
    public let kubectl: String?

    public var name: String { "kubernetes/\(settings.mode.rawValue)" }

    /// `directory` is the project's (the manifest's path is relative to it).
    public init(settings: TrafficSettings.Kubernetes, directory: String, kubectl: String? = nil) throws {
        if let problem = settings.problem {
            throw BerthError(.usage, "traffic.kubernetes \(problem); fix it in berth.yaml")
        }
        self.settings = settings
        manifestPath = ManagedFile.resolve(settings.manifest, in: directory)
        self.kubectl = kubectl
    }

    var file: ManagedFile { ManagedFile(path: manifestPath, role: "manifest") }

    /// Without `apply`, a commit is how a GitOps controller learns of the split: the manifest.
    public var versionedFiles: [String] { settings.apply ? [] : [settings.manifest] }

    /// Exact: ingress-nginx's canary-weight and HTTPRoute's weights take any whole percent.
    public func effectiveWeight(_ requested: Int) -> Int { min(max(requested, 0), 100) }

    /// The manifest `apply` writes for `split`.
    public func render(_ split: TrafficSplit) throws -> String {
        if let problem = TrafficSettings(.kubernetes(settings)).headerProblem(split.header) {
            throw BerthError(.usage, "\(name) can't route \(problem)")
        }
        let split = TrafficSplit(canaryWeight: effectiveWeight(split.canaryWeight), header: split.header)
        return KubernetesManifest.render(split, settings: settings)
    }

    public func apply(_ split: TrafficSplit) async throws -> TrafficSplit {
        let text = try render(split)
        let previous = try file.read()
        try file.write(text)
        if settings.apply {
            do { try runKubectl() } catch {
                try file.restore(previous)
                throw error
            }
        }
        guard let now = try await current() else {
            throw BerthError(.failure, "manifest '\(manifestPath)' vanished after berth wrote it; check what else writes there")
        }
        return now
    }

    /// The split the manifest carries; nil when there is no manifest yet.
    public func current() async throws -> TrafficSplit? {
        guard let text = try file.read() else { return nil }
        switch KubernetesManifest.read(text, settings: settings) {
        case .success(let split): return split
        case .failure(let unreadable):
            throw BerthError(
                .failure,
                "can't read the split from manifest '\(settings.manifest)' (\(name)): \(ToolCommand.bounded(unreadable.why)); fix it, or remove it and run berth canary again to rewrite it"
            )
        }
    }

    /// The kubectl arguments `apply: true` runs: `--flag=value` forms, so no value reads as an option.
    public var kubectlArguments: [String] {
        ["--context=\(settings.context ?? "")"] + (settings.namespace.map { ["--namespace=\($0)"] } ?? [])
            + ["apply", "--filename=\(manifestPath)"]
    }

    private func runKubectl() throws {
        guard let program = kubectl ?? ProcessRunner.locate("kubectl") else {
            throw BerthError(
                .failure, "kubectl is not on PATH, and traffic.kubernetes.apply is true: install kubectl or set apply: false")
        }
        let output: ProcessOutput
        do { output = try ProcessRunner.run(program, kubectlArguments) } catch {
            throw BerthError(.failure, "can't run '\(program)': \(error)")
        }
        guard output.status == 0 else {
            throw BerthError(
                .failure,
                "kubectl apply of '\(settings.manifest)' failed (the previous manifest is back in place): \(ToolCommand.oneLine(output)); check the context \(settings.context ?? "") and the cluster"
            )
        }
    }
}
