import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real nginx (Debian's `nginx-light`) on 127.0.0.1 and free ports, in the foreground
/// (`-g 'daemon off;'`) with its own prefix directory, one worker, and logs in that directory.
/// `stop()` ends it by its pid (SIGTERM, then SIGKILL for it and its workers if it lingers).
public final class NginxServer: @unchecked Sendable {
    /// Tests that start one say so with `.requires(.nginx)`.
    public static let binary = "/usr/sbin/nginx"

    /// The prefix directory: nginx.conf, logs/, temp directories, nginx.pid.
    public let directory: String
    public let ports: [Int]
    public let configFile: String
    public let errorLog: String
    public let process: Process

    /// The first port.
    public var port: Int { ports[0] }

    /// `nginx -p DIR -c CONF -e LOG` plus `arguments`: how a test runs nginx against this instance
    /// (`["-t"]`, `["-s", "reload"]`).
    public func command(_ arguments: [String]) -> [String] {
        [Self.binary, "-p", directory, "-c", configFile, "-e", errorLog] + arguments
    }

    /// Starts nginx with `ports` free ports; `http` gives the body of the `http` block for this prefix
    /// directory and those ports (it may write files there first, such as an include).
    public init(ports count: Int = 1, http: (_ directory: String, _ ports: [Int]) throws -> String) throws {
        guard ExternalTool.nginx.isAvailable else { throw ExternalTool.Missing([.nginx]) }
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("berth-nginx-\(UUID().uuidString.prefix(8))").path
        for sub in ["logs", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        // Workers run as nobody under root: let them into the directory (and the temp paths).
        _ = chmod(directory, 0o755)
        _ = chmod("\(directory)/tmp", 0o777)
        ports = try (0..<count).map { _ in try FreePort.find() }
        configFile = "\(directory)/nginx.conf"
        errorLog = "\(directory)/logs/error.log"
        let body = try http(directory, ports)
        let config = """
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(errorLog) warn;
            events { worker_connections 512; }
            http {
              access_log off;
              client_body_temp_path \(directory)/tmp/body;
              proxy_temp_path \(directory)/tmp/proxy;
              fastcgi_temp_path \(directory)/tmp/fastcgi;
              uwsgi_temp_path \(directory)/tmp/uwsgi;
              scgi_temp_path \(directory)/tmp/scgi;
            \(body)
            }

            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configFile))
        let log = "\(directory)/logs/stderr.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-p", directory, "-c", configFile, "-e", errorLog, "-g", "daemon off;"]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<400 {
            if !process.isRunning {
                let text = [log, errorLog].compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
                throw ShellError(command: "nginx", status: process.terminationStatus, stderr: text)
            }
            if ports.allSatisfy({ FreePort.isListening($0) }) { return }
            usleep(25_000)
        }
        stop()
        throw ShellError(command: "nginx", status: -1, stderr: "not listening on \(ports) after 10 s")
    }

    /// Two tiny backends in one nginx: each port answers every request with 200 and its text
    /// (`stable\n`, `canary\n`), so a client sees which version served it.
    public static func backends(_ texts: [String] = ["stable", "canary"]) throws -> NginxServer {
        try NginxServer(ports: texts.count) { _, ports in
            zip(ports, texts).map { port, text in
                """
                  server {
                    listen 127.0.0.1:\(port);
                    location / { default_type text/plain; return 200 "\(text)\\n"; }
                  }
                """
            }.joined(separator: "\n")
        }
    }

    /// Lines of a log file in the prefix directory (`logs/access.log`).
    public func logLines(_ relativePath: String) -> [String] {
        let text = (try? String(contentsOfFile: "\(directory)/\(relativePath)", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The pids of nginx's workers now (the master's children).
    public var workers: Set<Int32> { Set(Self.children(of: process.processIdentifier)) }

    /// Waits until a reload has replaced every worker in `old`: `nginx -s reload` only signals the
    /// master, which starts new workers and retires the old ones after it returns.
    public func waitForReload(replacing old: Set<Int32>, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let now = workers
            if !now.isEmpty && now.isDisjoint(with: old) { return }
            usleep(2_000)
        }
        throw ShellError(command: "nginx -s reload", status: -1, stderr: "workers \(old.sorted()) still there after \(seconds) s")
    }

    /// Waits until nginx runs one generation of workers: after a reload, the master keeps the old
    /// workers until their open connections end, and until then they serve with the old configuration.
    public func waitForOneGeneration(seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if workers.count == 1 { return }  // worker_processes 1
            usleep(2_000)
        }
        throw ShellError(
            command: "nginx -s reload", status: -1, stderr: "workers \(workers.sorted()) still there after \(seconds) s")
    }

    /// Stops nginx by its pid: SIGTERM (nginx's fast shutdown ends its workers), then after 5 s SIGKILL
    /// for the master and the workers it had; removes the directory.
    public func stop() {
        if process.isRunning {
            let pid = process.processIdentifier
            let workers = Self.children(of: pid)
            kill(pid, SIGTERM)
            if !Self.waitForExit(process, seconds: 5) {
                for worker in workers { kill(worker, SIGKILL) }
                kill(pid, SIGKILL)
                _ = Self.waitForExit(process, seconds: 5)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    /// The child pids of `pid` (Linux's /proc/PID/task/PID/children).
    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Waits for `process` to end, polling; false when it is still running after `seconds`.
    static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { return false }
        process.waitUntilExit()
        return true
    }
}
