import BerthCore
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The example Gin service, planned by berth, built offline with Debian's Go, Gin and Prometheus client
/// using berth's -ldflags, run on 127.0.0.1: GET /version must answer exactly the planned version and
/// commit; with FAULT_ERROR_RATE its /metrics must count exactly what a client saw.
@Suite("examples/gin-service end to end", .requires(.go, .gin, .prometheusClientGolang))
struct GinServiceTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/gin-service")

    @Test("the service's own Go tests pass offline (metrics, the fault switch)")
    func goTests() async throws {
        var env = ProcessInfo.processInfo.environment
        env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gocache").path
        let result = try await Self.blocking { [env] in
            try Shell.run("/bin/bash", [Self.example.path + "/scripts/go-offline.sh", "test", "./..."], environment: env)
        }
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// Runs blocking work (a build, a burst of requests) on a thread of its own, not on one of the few
    /// cooperative threads that other suites' async timeouts need.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Builds the example as it is into a temporary directory; returns the binary's path.
    static func buildExample() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let binary = directory.appendingPathComponent("gin-service").path
        var env = ProcessInfo.processInfo.environment
        env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gocache").path
        let build = try Shell.run(
            "/bin/bash", [example.path + "/scripts/go-offline.sh", "build", "-trimpath", "-o", binary, "."], environment: env)
        try build.check()
        return binary
    }

    /// Stops `process` by its pid: SIGTERM, then SIGKILL if it is still running after 5 s.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// One HTTP/1.0 GET to 127.0.0.1:`port` (5 s limits): status and body, or nil.
    static func get(port: Int, path: String) -> (status: Int, body: String)? {
        (try? LoopbackHTTP.get(port: port, path: path)).map { ($0.status, $0.body) }
    }

    @Test("FAULT_ERROR_RATE=0.2: 100 of 500 requests answer 500, and /metrics counts exactly what the client saw")
    func faultSwitchAndMetrics() async throws {
        let binary = try await Self.blocking { try Self.buildExample() }
        defer { try? FileManager.default.removeItem(atPath: (binary as NSString).deletingLastPathComponent) }
        let port = try FreePort.find()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = ["ADDR": "127.0.0.1:\(port)", "FAULT_ERROR_RATE": "0.2"]
        // A file, not a pipe: 500 request lines would fill a pipe nobody reads, and block the service.
        let logFile = (binary as NSString).deletingLastPathComponent + "/service.log"
        FileManager.default.createFile(atPath: logFile, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        try process.run()
        defer { Self.stop(process) }
        for _ in 0..<200 where !FreePort.isListening(port) { usleep(25_000) }

        // 500 requests, 8 at a time: the fault's share is exact per block of 5 however they interleave.
        // Plain sockets, not URLSession: a failed URLSession request cancels its siblings, and that can
        // deadlock on Linux.
        let seen = try await Self.blocking {
            let statuses = Locked<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                for _ in stride(from: worker, to: 500, by: 8) {
                    let status = Self.get(port: port, path: "/version")?.status ?? 0
                    statuses.withLock { $0.append(status) }
                }
            }
            return statuses.current
        }
        #expect(seen.count == 500)
        #expect(seen.filter { $0 == 500 }.count == 100, "500s: \(seen.filter { $0 == 500 }.count) of 500")
        #expect(seen.filter { $0 == 200 }.count == 400)
        #expect(Self.get(port: port, path: "/healthz")?.status == 200, "/healthz is never faulted")

        let metrics = Self.get(port: port, path: "/metrics")
        #expect(metrics?.status == 200)
        let exposition = metrics?.body ?? ""
        let lines = Set(exposition.split(separator: "\n").map(String.init))
        for line in [
            #"http_requests_total{code="500",method="GET",route="/version"} 100"#,
            #"http_requests_total{code="200",method="GET",route="/version"} 400"#,
            #"http_requests_total{code="200",method="GET",route="/healthz"} 1"#,
            #"http_request_duration_seconds_count{method="GET",route="/version"} 500"#,
            #"http_request_duration_seconds_bucket{method="GET",route="/version",le="+Inf"} 500"#,
            #"build_info{commit="none",version="dev"} 1"#,
        ] {
            #expect(lines.contains(line), "/metrics lacks \(line)")
        }
        #expect(!exposition.contains(#"route="/metrics""#), "scrapes are not counted")

        Self.stop(process)
        let logs = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        #expect(logs.contains(#""msg":"injecting faults""#) && logs.contains(#""error_rate":0.2"#))
    }

    @Test("a fault variable that doesn't parse stops the service at start (exit 2), naming it")
    func badFaultSetting() async throws {
        let binary = try await Self.blocking { try Self.buildExample() }
        defer { try? FileManager.default.removeItem(atPath: (binary as NSString).deletingLastPathComponent) }
        for (name, value) in [("FAULT_ERROR_RATE", "20%"), ("FAULT_LATENCY", "200"), ("FAULT_LATENCY_RATE", "2")] {
            let port = try FreePort.find()
            let result = try await Self.blocking {
                try Shell.run(binary, [], environment: ["ADDR": "127.0.0.1:\(port)", name: value], replaceEnvironment: true)
            }
            #expect(result.status == 2 && result.stderr.contains(name), "\(name)=\(value): \(result.status) \(result.stderr)")
        }
    }

    @Test("berth's ldflags reach the binary: /version answers the planned version, commit and date; SIGTERM stops it cleanly")
    func versionEndpoint() async throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        let service = repo.path + "/examples/gin-service"
        try FileManager.default.createDirectory(atPath: repo.path + "/examples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.example.path, toPath: service)
        try repo.git("add", "-A")
        try repo.git(
            ["commit", "-q", "-m", "feat: gin service"],
            extraEnvironment: ["GIT_AUTHOR_DATE": "@1704067200 +0000", "GIT_COMMITTER_DATE": "@1704067200 +0000"])
        let head = try repo.git("rev-parse", "HEAD")

        let labels = try cli.run(["labels", "--json"], in: service, environment: repo.environment)
        #expect(labels.status == 0, "\(labels.stderr)")
        let metadata = try JSONSerialization.jsonObject(with: Data(labels.stdout.utf8)) as? [String: Any]
        let ldflags = try #require(metadata?["ldflags"] as? String)
        #expect(ldflags.contains("example.com/gin-service/internal/version.Version=0.1.0"))

        let binary = repo.path + "/../gin-service"
        var env = ProcessInfo.processInfo.environment
        env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gocache").path
        let build = try Shell.run(
            "/bin/bash", [service + "/scripts/go-offline.sh", "build", "-trimpath", "-ldflags", ldflags, "-o", binary, "."],
            environment: env)
        #expect(build.status == 0, "\(build.stderr)")

        let port = try FreePort.find()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = ["ADDR": "127.0.0.1:\(port)"]
        let log = Pipe()
        process.standardError = log
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        for _ in 0..<200 where !FreePort.isListening(port) { try await Task.sleep(for: .milliseconds(25)) }
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/version")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let info = try JSONSerialization.jsonObject(with: data) as? [String: String]
        #expect(info == ["version": "0.1.0", "commit": head, "buildDate": "2024-01-01T00:00:00Z"])

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let logs = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(
            logs.contains("\"msg\":\"request\"") && logs.contains("\"path\":\"/version\"") && logs.contains("\"msg\":\"stopped\"")
        )
    }
}
