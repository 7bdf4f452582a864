import BerthCore
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Everything one `berth canary` scenario runs, every part real on 127.0.0.1: the example Gin service
/// twice (stable and canary, each with its own fault switch), a proxy in front (nginx with berth's
/// include, or HAProxy driven through its runtime API), Prometheus scraping both services with a
/// `track` label (and HAProxy's own exporter), a registry and a ledger holding 0.1.0 in prod and 0.2.0
/// cleared for it, and a load loop from the test. Only the proxy's access log says whether a request
/// failed. `stop()` ends every process by its pid.
final class CanaryLab: @unchecked Sendable {
    /// Kubernetes is GitOps here: berth writes and commits a manifest, no service or proxy runs.
    enum Proxy: Equatable { case nginx, haproxy, kubernetes(mode: String) }

    /// What differs between scenarios.
    struct Options {
        var proxy = Proxy.nginx
        /// The fault switches (FAULT_ERROR_RATE, FAULT_LATENCY) of each side.
        var stableEnvironment: [String: String] = [:]
        var canaryEnvironment: [String: String] = [:]
        var steps = "[{setWeight: 20}, {analysis: 2}, {setWeight: 60}, {analysis: 2}, {setWeight: 100}]"
        var interval = "4s"
        /// Extra lines under `canary.prod` (a header rule, limits), indented four spaces.
        var policy = ""
        /// The `analysis.exporter` value; nil: the service's own metrics with the `track` label.
        var exporter: String?
        var metrics = ["{name: success-rate, template: success-rate, min: 0.95, minimum_samples: 20}"]
    }

    /// The example built once for every scenario (a Go build takes seconds of both cores).
    static let binary = Result { try GinServiceTests.buildExample() }

    let options: Options
    let registry: RegistryServer
    let cli: CLIHarness
    let image: String
    private(set) var repo: GitRepoBuilder!
    private(set) var services: [Process] = []
    private(set) var nginx: NginxServer?
    private(set) var haproxy: HAProxyServer?
    private(set) var prometheus: PrometheusServer!
    let directory: String
    private(set) var canaryPort = 0

    init(_ options: Options) async throws {
        self.options = options
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-canary-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        registry = try RegistryServer()
        cli = try CLIHarness()
        image = "\(registry.host)/acme/api"
        do {
            try await start()
        } catch {
            stop()
            throw error
        }
    }

    private func start() async throws {
        if case .kubernetes(let mode) = options.proxy {
            try writeProject(traffic: Self.kubernetesTraffic(mode: mode), analysis: "")
            return
        }
        let binary = try Self.binary.get()
        let (stablePort, canaryPort) = (try FreePort.find(), try FreePort.find())
        self.canaryPort = canaryPort
        for (port, extra) in [(stablePort, options.stableEnvironment), (canaryPort, options.canaryEnvironment)] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.environment = ["ADDR": "127.0.0.1:\(port)"].merging(extra) { $1 }
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            services.append(process)
        }
        for port in [stablePort, canaryPort] {
            for _ in 0..<200 where !FreePort.isListening(port) { try await Task.sleep(for: .milliseconds(25)) }
        }
        var targets: [PrometheusServer.Target] = [
            .init(job: "api", address: "127.0.0.1:\(stablePort)", labels: ["track": "stable"]),
            .init(job: "api", address: "127.0.0.1:\(canaryPort)", labels: ["track": "canary"]),
        ]
        let traffic: String
        switch options.proxy {
        case .nginx:
            traffic = try startNginx(stablePort: stablePort, canaryPort: canaryPort)
        case .kubernetes: return
        case .haproxy:
            let haproxy = try startHAProxy(stablePort: stablePort, canaryPort: canaryPort)
            targets.append(.init(job: "haproxy", address: "127.0.0.1:\(haproxy.ports[1])"))
            traffic = """
                      haproxy:
                        socket: \(haproxy.socket)
                        backend: api
                        stable: [s1]
                        canary: [c1]
                        map: \(haproxy.directory)/canary.map
                        header: X-Version
                        canary_backend: api_canary
                """
        }
        prometheus = try PrometheusServer(targets: targets)
        #expect(prometheus.waitForTargets(targets.count))
        let exporter = options.exporter ?? "{service: {track_label: track, matchers: {job: api}}}"
        let metrics = options.metrics.map { "        - \($0)" }.joined(separator: "\n")
        try writeProject(
            traffic: traffic,
            analysis: """
                    analysis:
                      prometheus: \(prometheus.url)
                      scrape_interval: 1s
                      exporter: \(exporter)
                      metrics:
                \(metrics)

                """)
    }

    /// The project: LifecycleCLITests' repository with a berth.yaml whose canary.prod has `traffic`
    /// and `analysis` (lines indented for it), committed.
    private func writeProject(traffic: String, analysis: String) throws {
        (repo, _) = try LifecycleCLITests.project(image: image)
        try repo.write(
            "berth.yaml",
            """
            image:
              names: [\(image)]
            ledger: ../ledger.sqlite
            canary:
              prod:
                steps: \(options.steps)
                interval: \(options.interval)
            \(options.policy)
                traffic:
            \(traffic)
            \(analysis)
            """)
        try repo.git("add", "berth.yaml")
        try repo.commit("chore: canary for prod")
    }

    /// A canary HTTPRoute (Gateway API) or a canary Ingress of ingress-nginx, written under deploy/prod.
    static func kubernetesTraffic(mode: String) -> String {
        let specific =
            mode == "httproute"
            ? "manifest: deploy/prod/api-route.yaml\n        name: api\n        stable: api:8080\n        gateway: public"
            : "manifest: deploy/prod/api-canary.yaml\n        name: api-canary"
        return """
                  kubernetes:
                    mode: \(mode)
                    \(specific)
                    namespace: prod
                    host: api.example.com
                    canary: api-canary:8080
            """
    }

    /// nginx with berth's include (everything on stable until berth writes it) and an access log of
    /// `upstream-address status`; returns the `traffic:` lines for berth.yaml.
    private func startNginx(stablePort: Int, canaryPort: Int) throws -> String {
        let include = directory + "/api.conf"
        try """
        upstream api_weighted { server 127.0.0.1:\(stablePort); }
        upstream api_stable { server 127.0.0.1:\(stablePort); }
        upstream api_canary { server 127.0.0.1:\(canaryPort); }
        map $http_x_version $api_pool { default api_weighted; }

        """.write(toFile: include, atomically: true, encoding: .utf8)
        let accessLog = accessLogPath
        let nginx = try NginxServer { _, ports in
            """
            include \(include);
            log_format canary '$upstream_addr $status';
            server {
                listen 127.0.0.1:\(ports[0]);
                access_log \(accessLog) canary;
                location / { proxy_pass http://$api_pool; }
            }
            """
        }
        self.nginx = nginx
        let check = nginx.command(["-t"]).map { "\"\($0)\"" }.joined(separator: ", ")
        let reload = nginx.command(["-s", "reload"]).map { "\"\($0)\"" }.joined(separator: ", ")
        return """
                  nginx:
                    include: \(include)
                    upstream: api
                    stable: ["127.0.0.1:\(stablePort)"]
                    canary: ["127.0.0.1:\(canaryPort)"]
                    check: [\(check)]
                    reload: [\(reload)]
            """
    }

    /// HAProxy: one backend with the stable server at full weight and the canary's at 0, the header map
    /// (empty) leading to a canary-only backend, its Prometheus exporter on a second port, and an access
    /// log of `server-name status` on its standard output (the server's log file).
    private func startHAProxy(stablePort: Int, canaryPort: Int) throws -> HAProxyServer {
        let haproxy = try HAProxyServer(ports: 2) { directory, ports in
            FileManager.default.createFile(atPath: "\(directory)/canary.map", contents: Data())
            return """
                frontend fe_api
                  bind 127.0.0.1:\(ports[0])
                  log stdout format raw local0
                  log-format "%s %ST"
                  # As in production: a connection the client opened and closed without a request is no request.
                  option dontlognull
                  option http-ignore-probes
                  use_backend %[req.hdr(X-Version),map(\(directory)/canary.map,api)]
                  default_backend api
                frontend fe_metrics
                  bind 127.0.0.1:\(ports[1])
                  http-request use-service prometheus-exporter if { path /metrics }
                backend api
                  balance roundrobin
                  server s1 127.0.0.1:\(stablePort) weight 100
                  server c1 127.0.0.1:\(canaryPort) weight 0
                backend api_canary
                  server c1 127.0.0.1:\(canaryPort)
                """
        }
        self.haproxy = haproxy
        return haproxy
    }

    /// The proxy's port, where the load goes.
    var port: Int { nginx?.port ?? haproxy!.port }

    /// How the access log names the canary: its address for nginx, its server name for HAProxy.
    var canaryUpstream: String { options.proxy == .nginx ? "127.0.0.1:\(canaryPort)" : "c1" }

    private var accessLogPath: String {
        options.proxy == .nginx ? directory + "/access.log" : (haproxy?.directory ?? directory) + "/haproxy.log"
    }

    func berth(_ arguments: String..., environment: [String: String] = [:]) throws -> ShellResult {
        try cli.run(arguments, in: repo.path, environment: repo.environment.merging(environment) { $1 })
    }

    /// 0.1.0 released, gated and in every environment; 0.2.0 released, gated, in dev and staging.
    func prepareReleases() async throws {
        let first = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: first, environment: repo.environment)
        for environment in ["dev", "staging", "prod"] {
            let promoted = try berth("promote", "0.1.0", "--to", environment)
            try #require(promoted.status == 0, "\(promoted.stderr)")
        }
        try repo.write("CHANGES", "second\n")
        try repo.git("add", "CHANGES")
        try repo.commit("feat: second endpoint")
        let second = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        let release = try berth("release")
        try #require(release.status == 0, "\(release.stderr)")
        let report = try LifecycleCLITests.report("trivy-clean.json", about: second, in: repo.path + "/..")
        let gate = try berth("gate", "--report", report, "--image", "\(image):v0.2.0")
        try #require(gate.status == 0, "\(gate.stdout)\(gate.stderr)")
        for environment in ["dev", "staging"] {
            let promoted = try berth("promote", "0.2.0", "--to", environment)
            try #require(promoted.status == 0, "\(promoted.stderr)")
        }
    }

    /// Requests to the proxy, about `perSecond` a second, until `stop` is set; statuses as the client saw them.
    /// Requests `/version` at about `perSecond` until `stop`; with `freshConnections` each request opens
    /// its own connection (`Connection: close`), so none rides a kept-alive one to a worker nginx retires.
    func load(perSecond: Int, until stop: Locked<Bool>, freshConnections: Bool = false) async -> [Int] {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/version")!)
        if freshConnections { request.setValue("close", forHTTPHeaderField: "Connection") }
        var statuses: [Int] = []
        while !stop.current {
            let started = ContinuousClock.now
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                statuses.append((response as? HTTPURLResponse)?.statusCode ?? 0)
            } catch {
                statuses.append(0)
            }
            let pause = Duration.milliseconds(1000 / perSecond) - (ContinuousClock.now - started)
            if pause > .zero { try? await Task.sleep(for: pause) }
        }
        return statuses
    }

    /// Runs `berth canary run 0.2.0 --env prod` while the load loop runs; the load stops after it.
    func runCanary(load: Int = 40, environment: [String: String] = [:]) async throws -> (ShellResult, [Int]) {
        let stop = Locked(false)
        async let statuses = load > 0 ? self.load(perSecond: load, until: stop) : []
        let run = try await Task.detached {
            try self.berth("canary", "run", "0.2.0", "--env", "prod", environment: environment)
        }.value
        stop.withLock { $0 = true }
        return (run, await statuses)
    }

    /// Runs the default steps (20 → 60 → 100) of a canary that should pass under load and checks it was
    /// promoted with no failed request, at the client or in the proxy's log; returns that log.
    func runGoodCanary() async throws -> [(upstream: String, status: Int)] {
        let (run, statuses) = try await runCanary()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: step 1/5: 20 % to the canary"), "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: promoted: prod runs 0.2.0"), "\(run.stderr)")
        #expect(statuses.count > 100 && statuses.allSatisfy { $0 == 200 }, "\(Set(statuses))")
        let log = accessLog
        #expect(log.count >= statuses.count && log.allSatisfy { $0.status == 200 }, "\(log.filter { $0.status != 200 })")
        return log
    }

    /// The proxy's access log: `upstream status` per request (HAProxy's own start-up lines skipped).
    var accessLog: [(upstream: String, status: Int)] {
        let text = (try? String(contentsOfFile: accessLogPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let status = Int(parts[1]) else { return nil }
            return (String(parts[0]), status)
        }
    }

    /// The ledger's events, newest first, as `berth history --json` gives them.
    func events() throws -> [[String: Any]] {
        let history = try berth("history", "--json", "--limit", "500")
        return try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
    }

    func stop() {
        for process in services { GinServiceTests.stop(process) }
        nginx?.stop()
        haproxy?.stop()
        prometheus?.stop()
        registry.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
