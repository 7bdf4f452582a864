import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real Prometheus (Debian's `prometheus`) on 127.0.0.1 and a free port, scraping the targets given
/// every second, with its TSDB in a temporary directory. `stop()` ends it by its pid (SIGTERM, then
/// SIGKILL after 5 s) and removes the directory; its log is kept there until then.
public final class PrometheusServer: @unchecked Sendable {
    /// One scrape target: `address` is `host:port`; `labels` become target labels on every series
    /// scraped from it (`track: canary`).
    public struct Target: Sendable {
        public var job: String
        public var address: String
        public var labels: [String: String]
        public var metricsPath: String

        public init(job: String, address: String, labels: [String: String] = [:], metricsPath: String = "/metrics") {
            self.job = job
            self.address = address
            self.labels = labels
            self.metricsPath = metricsPath
        }
    }

    /// Tests that start one say so with `.requires(.prometheus)`.
    public static let binary = "/usr/bin/prometheus"

    public let port: Int
    public let directory: URL
    public let configFile: URL
    public let logFile: URL
    public let process: Process

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts Prometheus scraping `targets` (grouped into jobs by name; a job's metrics path is its first
    /// target's) every `scrapeInterval`, and waits until `/-/ready` answers 200.
    public init(targets: [Target], scrapeInterval: String = "1s") throws {
        guard ExternalTool.prometheus.isAvailable else { throw ExternalTool.Missing([.prometheus]) }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try FreePort.find()
        var jobs: [String] = []
        var byJob: [String: [Target]] = [:]
        for target in targets {
            if byJob[target.job] == nil { jobs.append(target.job) }
            byJob[target.job, default: []].append(target)
        }
        var config = """
            global:
              scrape_interval: \(scrapeInterval)
              scrape_timeout: \(scrapeInterval)
              evaluation_interval: \(scrapeInterval)
            scrape_configs:

            """
        for job in jobs {
            let members = byJob[job]!
            config += "  - job_name: \(Self.quoted(job))\n    metrics_path: \(Self.quoted(members[0].metricsPath))\n"
            config += "    static_configs:\n"
            for target in members {
                config += "      - targets: [\(Self.quoted(target.address))]\n"
                if !target.labels.isEmpty {
                    config += "        labels:\n"
                    for (name, value) in target.labels.sorted(by: { $0.key < $1.key }) {
                        config += "          \(name): \(Self.quoted(value))\n"
                    }
                }
            }
        }
        configFile = directory.appendingPathComponent("prometheus.yml")
        try Data(config.utf8).write(to: configFile)
        logFile = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(configFile.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--storage.tsdb.retention.time=1d",
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            if !process.isRunning {
                throw ShellError(command: "prometheus", status: process.terminationStatus, stderr: self.log())
            }
            if FreePort.isListening(port), get("/-/ready")?.status == 200 { return }
            usleep(25_000)
        }
        stop()
        throw ShellError(command: "prometheus", status: -1, stderr: "not ready on \(port) after 15 s")
    }

    /// What Prometheus logged so far.
    public func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// How many targets the last scrapes found up (`/api/v1/targets`, `"health":"up"`).
    public func targetsUp() -> Int {
        guard let answer = get("/api/v1/targets?state=active"), answer.status == 200,
            let document = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let data = document["data"] as? [String: Any], let active = data["activeTargets"] as? [[String: Any]]
        else { return 0 }
        return active.filter { $0["health"] as? String == "up" }.count
    }

    /// Waits until `count` targets are up, at most `seconds`; false when they aren't by then.
    public func waitForTargets(_ count: Int, seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if targetsUp() >= count { return true }
            usleep(200_000)
        }
        return false
    }

    /// A plain HTTP/1.0 GET to the server: its status and body, or nil when it doesn't answer.
    public func get(_ path: String) -> (status: Int, body: String)? {
        (try? LoopbackHTTP.get(port: port, path: path)).map { ($0.status, $0.body) }
    }

    /// Stops Prometheus by its pid (SIGTERM, SIGKILL after 5 s) and removes its directory.
    public func stop() {
        if process.isRunning {
            let pid = process.processIdentifier
            kill(pid, SIGTERM)
            if !Self.waitForExit(process, seconds: 5) {
                kill(pid, SIGKILL)
                _ = Self.waitForExit(process, seconds: 5)
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// Whether `process` exits within `seconds`.
    static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
