import BerthCore
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `berth canary run` end to end, every part real on 127.0.0.1: the example Gin service twice (stable,
/// and a canary that may fail a share of its requests), nginx in front with berth's include, Prometheus
/// scraping both with a `track` label, a registry and a ledger holding 0.1.0 in prod and 0.2.0 cleared
/// for it, and a load loop from the test. Only nginx's access log says whether a request failed.
@Suite(
    "berth canary against nginx, Prometheus and the Gin service", .serialized,
    .requires(.dockerRegistry, .nginx, .prometheus, .go, .gin, .prometheusClientGolang))
struct CanaryE2ETests {
    /// The example built once for every scenario (a Go build takes seconds of both cores).
    static let binary = Result { try GinServiceTests.buildExample() }

    /// Everything one scenario runs; `stop()` ends every process by its pid.
    final class Lab: @unchecked Sendable {
        let registry: RegistryServer
        let cli: CLIHarness
        let repo: GitRepoBuilder
        let image: String
        var services: [Process] = []
        var nginx: NginxServer!
        var prometheus: PrometheusServer!
        let directory: String
        var canaryPort = 0

        /// `canaryEnvironment` for the canary instance (the fault switch); `policy` extra lines under
        /// canary.prod (a header rule, limits).
        init(canaryEnvironment: [String: String], policy: String = "") async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-canary-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            registry = try RegistryServer()
            cli = try CLIHarness()
            image = "\(registry.host)/acme/api"
            let binary = try CanaryE2ETests.binary.get()
            let (stablePort, canaryPort) = (try FreePort.find(), try FreePort.find())
            self.canaryPort = canaryPort
            for (port, extra) in [(stablePort, [String: String]()), (canaryPort, canaryEnvironment)] {
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
            let include = directory + "/api.conf"
            // The include must exist before nginx loads it: everything on stable.
            try """
            upstream api_weighted { server 127.0.0.1:\(stablePort); }
            upstream api_stable { server 127.0.0.1:\(stablePort); }
            upstream api_canary { server 127.0.0.1:\(canaryPort); }
            map $http_x_version $api_pool { default api_weighted; }

            """.write(toFile: include, atomically: true, encoding: .utf8)
            let accessLog = directory + "/access.log"
            nginx = try NginxServer { _, ports in
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
            prometheus = try PrometheusServer(targets: [
                .init(job: "api", address: "127.0.0.1:\(stablePort)", labels: ["track": "stable"]),
                .init(job: "api", address: "127.0.0.1:\(canaryPort)", labels: ["track": "canary"]),
            ])
            #expect(prometheus.waitForTargets(2))
            let check = nginx.command(["-t"]).map { "\"\($0)\"" }.joined(separator: ", ")
            let reload = nginx.command(["-s", "reload"]).map { "\"\($0)\"" }.joined(separator: ", ")
            (repo, _) = try LifecycleCLITests.project(image: image)
            try repo.write(
                "berth.yaml",
                """
                image:
                  names: [\(image)]
                ledger: ../ledger.sqlite
                canary:
                  prod:
                    steps: [{setWeight: 20}, {analysis: 2}, {setWeight: 60}, {analysis: 2}, {setWeight: 100}]
                    interval: 4s
                \(policy)
                    traffic:
                      nginx:
                        include: \(include)
                        upstream: api
                        stable: ["127.0.0.1:\(stablePort)"]
                        canary: ["127.0.0.1:\(canaryPort)"]
                        check: [\(check)]
                        reload: [\(reload)]
                    analysis:
                      prometheus: \(prometheus.url)
                      scrape_interval: 1s
                      exporter: {service: {track_label: track, matchers: {job: api}}}
                      metrics:
                        - {name: success-rate, template: success-rate, min: 0.95, minimum_samples: 20}

                """)
            try repo.git("add", "berth.yaml")
            try repo.commit("chore: canary for prod")
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

        /// Requests to nginx, about `perSecond` a second, until `stop` is set; statuses as the client saw them.
        func load(perSecond: Int, until stop: Locked<Bool>) async -> [Int] {
            let url = URL(string: "http://127.0.0.1:\(nginx.port)/version")!
            var statuses: [Int] = []
            while !stop.current {
                let started = ContinuousClock.now
                do {
                    let (_, response) = try await URLSession.shared.data(from: url)
                    statuses.append((response as? HTTPURLResponse)?.statusCode ?? 0)
                } catch {
                    statuses.append(0)
                }
                let pause = Duration.milliseconds(1000 / perSecond) - (ContinuousClock.now - started)
                if pause > .zero { try? await Task.sleep(for: pause) }
            }
            return statuses
        }

        /// nginx's access log: `upstream status` per request.
        var accessLog: [(upstream: String, status: Int)] {
            let text = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let status = Int(parts[1]) else { return nil }
                return (String(parts[0]), status)
            }
        }

        func stop() {
            for process in services { GinServiceTests.stop(process) }
            nginx?.stop()
            prometheus?.stop()
            registry.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Runs `berth canary run 0.2.0 --env prod` while the load loop runs; the load stops after it.
    static func runCanary(_ lab: Lab, load: Int = 40, environment: [String: String] = [:]) async throws -> (ShellResult, [Int]) {
        let stop = Locked(false)
        async let statuses = load > 0 ? lab.load(perSecond: load, until: stop) : []
        let run = try await Task.detached {
            try lab.berth("canary", "run", "0.2.0", "--env", "prod", environment: environment)
        }.value
        stop.withLock { $0 = true }
        return (run, await statuses)
    }

    @Test("a good canary goes 20 → 60 → 100 and is promoted; no request fails, neither at nginx nor at the client")
    func goodCanary() async throws {
        let lab = try await Lab(canaryEnvironment: [:])
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, statuses) = try await Self.runCanary(lab)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: step 1/5: 20 % to the canary"), "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: promoted: prod runs 0.2.0"), "\(run.stderr)")
        #expect(statuses.count > 100 && statuses.allSatisfy { $0 == 200 }, "\(Set(statuses))")
        let log = lab.accessLog
        #expect(log.count >= statuses.count && log.allSatisfy { $0.status == 200 }, "\(log.filter { $0.status != 200 })")
        let status = try lab.berth("status", "--json")
        #expect(status.stdout.contains("\"version\" : \"0.2.0\""), "\(status.stdout)")
        let canary = try lab.berth("canary", "status", "--env", "prod", "--json")
        #expect(canary.stdout.contains("\"phase\" : \"promoted\""), "\(canary.stdout)")
    }

    @Test("the header rule: every request with X-Version: beta reaches the canary, whatever the weight")
    func headerRoute() async throws {
        let lab = try await Lab(canaryEnvironment: [:], policy: "    header: {name: X-Version, value: beta}\n")
        defer { lab.stop() }
        try await lab.prepareReleases()
        let workers = lab.nginx.workers
        let start = try lab.berth("canary", "start", "0.2.0", "--env", "prod")
        #expect(start.status == 0, "\(start.stderr)")
        // `nginx -s reload` returns before the master has retired the workers of the old configuration.
        try lab.nginx.waitForReload(replacing: workers)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(lab.nginx.port)/version")!)
        request.setValue("beta", forHTTPHeaderField: "X-Version")
        request.setValue("close", forHTTPHeaderField: "Connection")
        let canary = "127.0.0.1:\(lab.canaryPort)"
        let before = lab.accessLog.count
        for _ in 0..<30 {
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
        }
        let upstreams = Set(lab.accessLog.dropFirst(before).map(\.upstream))
        let include = (try? String(contentsOfFile: lab.directory + "/api.conf", encoding: .utf8)) ?? ""
        #expect(upstreams == [canary], "\(upstreams)\n\(include)")
        let abort = try lab.berth("canary", "abort", "--env", "prod", "--reason", "test over")
        #expect(abort.status == 0, "\(abort.stderr)")
    }

    @Test("a canary that gets no traffic pauses as inconclusive: never promoted, never marked bad")
    func noTraffic() async throws {
        let lab = try await Lab(canaryEnvironment: [:])
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, _) = try await Self.runCanary(lab, load: 0)
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: paused: 1 inconclusive measurement > limit 0"), "\(run.stderr)")
        let history = try lab.berth("history", "--limit", "500")
        #expect(!history.stdout.contains("marked-bad") && !history.stdout.contains("canary-promoted"), "\(history.stdout)")
    }

    @Test("Prometheus down: measurement errors pause the canary over the limit; never a verdict, never marked bad")
    func metricsDown() async throws {
        let lab = try await Lab(canaryEnvironment: [:], policy: "    consecutive_error_limit: 1\n")
        defer { lab.stop() }
        try await lab.prepareReleases()
        lab.prometheus.stop()
        let (run, _) = try await Self.runCanary(lab)
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("2 measurement errors in a row > limit 1: fix the metrics source"), "\(run.stderr)")
        #expect(run.stderr.contains("measurement 1: error:"), "\(run.stderr)")
        #expect(!(try lab.berth("history", "--limit", "500").stdout.contains("marked-bad")))
    }

    @Test("berth killed after nginx took a step, before recording it: the next run records that step once and finishes")
    func killedAndResumed() async throws {
        let lab = try await Lab(canaryEnvironment: [:])
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (crashed, _) = try await Self.runCanary(lab, environment: ["BERTH_CRASH_AT": "canary.traffic-applied"])
        #expect(crashed.status == 137, "\(crashed.stderr)")
        let (resumed, statuses) = try await Self.runCanary(lab)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("nginx already carries step 1 (20 %): recorded it"), "\(resumed.stderr)")
        #expect(statuses.allSatisfy { $0 == 200 })
        let history = try lab.berth("history", "--json", "--limit", "500")
        let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        let steps = events.filter { $0["kind"] as? String == "canary-step" }.compactMap {
            ($0["details"] as? [String: String])?["step"]
        }
        #expect(steps.sorted() == ["0", "1", "2", "3", "4"], "each step recorded once: \(steps)")
    }

    @Test("a canary failing 20 % of its requests is aborted: all traffic back on stable, marked bad, with the evidence")
    func failingCanary() async throws {
        let lab = try await Lab(canaryEnvironment: ["FAULT_ERROR_RATE": "0.2"])
        defer { lab.stop() }
        try await lab.prepareReleases()
        let (run, _) = try await Self.runCanary(lab)
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("berth: canary: aborted: 1 failed measurement > limit 0"), "\(run.stderr)")
        let history = try lab.berth("history", "--json", "--limit", "500")
        let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        let aborted = events.first { $0["kind"] as? String == "canary-aborted" }
        let details = aborted?["details"] as? [String: String] ?? [:]
        #expect(details["metric.success-rate.query"]?.contains("track=\"canary\"") == true, "\(details)")
        #expect(events.contains { $0["kind"] as? String == "marked-bad" && $0["version"] as? String == "0.2.0" })
        // Back on stable: after the abort nothing reaches the canary.
        let stop = Locked(false)
        async let after = lab.load(perSecond: 40, until: stop)
        try await Task.sleep(for: .seconds(2))
        stop.withLock { $0 = true }
        #expect(await after.allSatisfy { $0 == 200 })
        let canary = try lab.berth("canary", "status", "--env", "prod", "--json")
        #expect(canary.stdout.contains("\"phase\" : \"aborted\"") && canary.stdout.contains("\"observedWeight\" : 0"))
    }
}
