import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTraffic

/// KubernetesRouter: manifests in a project directory, golden bytes, read back, validated offline.
@Suite("Kubernetes router: canary Ingress and HTTPRoute manifests")
struct KubernetesRouterTests {
    static let ingress = TrafficSettings.Kubernetes(
        mode: .ingressNginx, manifest: "deploy/prod/api-canary.yaml", name: "api-canary", namespace: "prod",
        host: "api.example.com", path: "/", canary: .init(service: "api-canary", port: 8080))
    static let route = TrafficSettings.Kubernetes(
        mode: .httpRoute, manifest: "deploy/prod/api-route.yaml", name: "api", namespace: "prod", host: "api.example.com",
        path: "/api", canary: .init(service: "api-canary", port: 8080), stable: .init(service: "api", port: 8080),
        gateway: "public", gatewayNamespace: "infra")
    static let beta = HeaderRoute(name: "X-Version", value: "beta")

    static func project() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-k8s-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static var cases: [(String, TrafficSettings.Kubernetes, TrafficSplit)] {
        var bare = ingress
        bare.namespace = nil
        bare.host = nil
        var routeWithoutHost = route
        routeWithoutHost.host = nil
        routeWithoutHost.gatewayNamespace = nil
        return [
            ("ingress-nginx-10-header.yaml", ingress, TrafficSplit(canaryWeight: 10, header: beta)),
            ("ingress-nginx-0-bare.yaml", bare, TrafficSplit(canaryWeight: 0)),
            ("httproute-25-header.yaml", route, TrafficSplit(canaryWeight: 25, header: beta)),
            ("httproute-100.yaml", routeWithoutHost, TrafficSplit(canaryWeight: 100)),
        ]
    }

    @Test("the manifests berth writes (golden), and a fresh router reads each back")
    func goldenAndReadBack() async throws {
        for (name, settings, split) in Self.cases {
            let project = try Self.project()
            defer { try? FileManager.default.removeItem(atPath: project) }
            let router = try KubernetesRouter(settings: settings, directory: project)
            #expect(try await router.current() == nil, "no manifest yet")
            #expect(try await router.apply(split) == split)
            let text = try String(contentsOfFile: "\(project)/\(settings.manifest)", encoding: .utf8)
            let outcome = GoldenFile.compare(text, directory: Golden.directory, name: name)
            #expect(outcome == .matches, "\(name): \(outcome)")
            #expect(try await KubernetesRouter(settings: settings, directory: project).current() == split)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(project)/deploy/prod")
            #expect(leftovers == [URL(fileURLWithPath: settings.manifest).lastPathComponent], "no temp file: \(leftovers)")
        }
    }

    @Test(
        "weights edited in the manifest (GitOps) are what current() reports",
        arguments: [
            (0, "canary-weight: \"10\"", "canary-weight: \"30\"", 30),
            (
                0, "canary-weight: \"10\"", "canary-weight: \"50\"\n    nginx.ingress.kubernetes.io/canary-weight-total: \"200\"",
                25
            ),
            (2, "weight: 75", "weight: 70", 26),
            (2, "weight: 25", "weight: 50", 40),
        ])
    func handEditedWeights(caseIndex: Int, find: String, replace: String, expected: Int) async throws {
        let (_, settings, _) = Self.cases[caseIndex]
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: project) }
        let router = try KubernetesRouter(settings: settings, directory: project)
        _ = try await router.apply(TrafficSplit(canaryWeight: settings.mode == .httpRoute ? 25 : 10, header: Self.beta))
        let path = "\(project)/\(settings.manifest)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(find))
        try Data(text.replacingOccurrences(of: find, with: replace).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try await router.current() == TrafficSplit(canaryWeight: expected, header: Self.beta))
    }

    @Test(
        "a manifest berth can't read as a split is refused, naming it",
        arguments: [
            ("kind: Ingress", "kind: Service", "it isn't an Ingress"),
            (
                "nginx.ingress.kubernetes.io/canary: \"true\"", "nginx.ingress.kubernetes.io/canary: \"false\"",
                "lacks the annotation"
            ),
            ("    nginx.ingress.kubernetes.io/canary-by-header-value: \"beta\"\n", "", "without canary-by-header-value"),
            ("canary-weight: \"10\"", "canary-weight: \"ten\"", "isn't a whole number"),
            ("spec:", "spec: [a, b]", "flow collections"),
        ])
    func unreadable(find: String, replace: String, fragment: String) async throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: project) }
        let router = try KubernetesRouter(settings: Self.ingress, directory: project)
        _ = try await router.apply(TrafficSplit(canaryWeight: 10, header: Self.beta))
        let path = "\(project)/\(Self.ingress.manifest)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(find))
        try Data(text.replacingOccurrences(of: find, with: replace).utf8).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: BerthError.self) { try await router.current() }
        #expect(error?.message.hasPrefix("can't read the split from manifest 'deploy/prod/api-canary.yaml'") == true)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test("apply: true runs kubectl with --context= and --filename= forms; a failure puts the old manifest back")
    func kubectlApply() async throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: project) }
        let script = "\(project)/kubectl"
        func fake(exit status: Int) throws {
            let text =
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(project)/args'\necho 'error: the server has asked for credentials' >&2\nexit \(status)\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: script))
            _ = chmod(script, 0o755)
        }
        var settings = Self.ingress
        settings.apply = true
        settings.context = "prod-cluster"
        let router = try KubernetesRouter(settings: settings, directory: project, kubectl: script)
        try fake(exit: 0)
        #expect(try await router.apply(TrafficSplit(canaryWeight: 10)) == TrafficSplit(canaryWeight: 10))
        let args = try String(contentsOfFile: "\(project)/args", encoding: .utf8).split(separator: "\n")
        #expect(
            args == [
                "--context=prod-cluster", "--namespace=prod", "apply", "--filename=\(project)/deploy/prod/api-canary.yaml",
            ])
        try fake(exit: 1)
        let error = await #expect(throws: BerthError.self) { try await router.apply(TrafficSplit(canaryWeight: 50)) }
        #expect(
            error?.message
                == "kubectl apply of 'deploy/prod/api-canary.yaml' failed (the previous manifest is back in place): error: the server has asked for credentials; check the context prod-cluster and the cluster"
        )
        #expect(try await router.current() == TrafficSplit(canaryWeight: 10))
    }

    @Test(
        "settings that can't make a valid manifest are refused",
        arguments: [
            { (s: inout TrafficSettings.Kubernetes) in s.manifest = "../outside.yaml" },
            { (s: inout TrafficSettings.Kubernetes) in s.name = "API" },
            { (s: inout TrafficSettings.Kubernetes) in s.path = "no-slash" },
            { (s: inout TrafficSettings.Kubernetes) in s.host = "api example.com" },
            { (s: inout TrafficSettings.Kubernetes) in s.stable = .init(service: "api", port: 80) },
            { (s: inout TrafficSettings.Kubernetes) in s.apply = true },
            { (s: inout TrafficSettings.Kubernetes) in
                s.apply = true
                s.context = "--kubeconfig=/tmp/x"
            },
        ] as [@Sendable (inout TrafficSettings.Kubernetes) -> Void])
    func unsafeSettings(change: @Sendable (inout TrafficSettings.Kubernetes) -> Void) {
        var settings = Self.ingress
        change(&settings)
        #expect(throws: BerthError.self) { try KubernetesRouter(settings: settings, directory: "/tmp") }
    }

    @Test("an HTTPRoute needs the stable Service and a Gateway")
    func routeNeeds() {
        var settings = Self.route
        settings.gateway = nil
        #expect(throws: BerthError.self) { try KubernetesRouter(settings: settings, directory: "/tmp") }
        settings = Self.route
        settings.stable = nil
        #expect(throws: BerthError.self) { try KubernetesRouter(settings: settings, directory: "/tmp") }
    }
}

/// The written manifests through real offline tools: `kubectl kustomize` builds them, and
/// kubernetes-validate (PyPI) checks the Ingress against Kubernetes' own schema.
@Suite("Kubernetes manifests validated offline")
struct KubernetesValidationTests {
    /// A directory with a kustomization.yaml listing each manifest of `KubernetesRouterTests.cases`.
    static func writeAll() async throws -> (String, [String]) {
        let project = try KubernetesRouterTests.project()
        var files: [String] = []
        for (index, (_, settings, split)) in KubernetesRouterTests.cases.enumerated() {
            var settings = settings
            settings.manifest = "k8s/\(index)-\(URL(fileURLWithPath: settings.manifest).lastPathComponent)"
            settings.name += "-\(index)"  // one kustomization can't hold two objects of one kind, name and namespace
            _ = try await KubernetesRouter(settings: settings, directory: project).apply(split)
            files.append(URL(fileURLWithPath: settings.manifest).lastPathComponent)
        }
        let kustomization = "resources:\n" + files.map { "  - \($0)\n" }.joined()
        try Data(kustomization.utf8).write(to: URL(fileURLWithPath: "\(project)/k8s/kustomization.yaml"))
        return (project, files)
    }

    @Test("kubectl kustomize builds a directory holding every manifest", .requires(.kubectl))
    func kustomize() async throws {
        let (project, _) = try await Self.writeAll()
        defer { try? FileManager.default.removeItem(atPath: project) }
        let result = try Shell.run(
            ExternalTool.kubectl.path, ["kustomize", "\(project)/k8s"], environment: ["KUBECONFIG": "/dev/null"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "kind: Ingress").count - 1 == 2)
        #expect(result.stdout.components(separatedBy: "kind: HTTPRoute").count - 1 == 2)
        #expect(result.stdout.contains("nginx.ingress.kubernetes.io/canary-weight: \"10\""))
    }

    /// `BERTH_KUBERNETES_VALIDATE`, else `kubernetes-validate` on PATH.
    static let validator: String? = {
        if let path = ProcessInfo.processInfo.environment["BERTH_KUBERNETES_VALIDATE"], !path.isEmpty,
            FileManager.default.isExecutableFile(atPath: path)
        {
            return path
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/kubernetes-validate" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }()

    @Test(
        "kubernetes-validate --strict passes the canary Ingresses and rejects a broken one",
        .enabled(
            if: validator != nil,
            "kubernetes-validate not found (BERTH_KUBERNETES_VALIDATE or PATH): python3 -m venv /tmp/kv && /tmp/kv/bin/pip install kubernetes-validate, then BERTH_KUBERNETES_VALIDATE=/tmp/kv/bin/kubernetes-validate"
        ))
    func kubernetesValidate() async throws {
        let validator = try #require(Self.validator)
        let (project, files) = try await Self.writeAll()
        defer { try? FileManager.default.removeItem(atPath: project) }
        for file in files where file.contains("canary") {
            let result = try Shell.run(validator, ["--strict", "-k", "1.30", "\(project)/k8s/\(file)"])
            #expect(result.status == 0 && result.stdout.contains("passed"), "\(file): \(result.stdout) \(result.stderr)")
        }
        let broken = "\(project)/k8s/broken.yaml"
        let good = try String(contentsOfFile: "\(project)/k8s/\(files[0])", encoding: .utf8)
        try Data(good.replacingOccurrences(of: "number: 8080", with: "number: eighty").utf8).write(
            to: URL(fileURLWithPath: broken))
        let result = try Shell.run(validator, ["--strict", "-k", "1.30", broken])
        #expect(result.status != 0, "the validator is real: \(result.stdout)")
        // HTTPRoute is a CRD: kubernetes-validate has no schema for it and only warns; kustomize and
        // the round trip above are what check those manifests.
        let route = try Shell.run(validator, ["-k", "1.30", "\(project)/k8s/\(files[2])"])
        #expect(route.status == 0 && (route.stdout + route.stderr).contains("Couldn't find schema"), "\(route.stdout)")
    }
}
