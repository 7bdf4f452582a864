import BerthCore
import BerthTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// examples/gin-service built once per test run (offline, with Debian's Go packages) and run on
/// 127.0.0.1 with the environment given; `stop()` ends it by its pid (SIGTERM, then SIGKILL).
final class GinServiceProcess: @unchecked Sendable {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/gin-service")
    private static let built = Locked<String?>(nil)

    /// The binary, built on first use into a temporary directory.
    static func binary() throws -> String {
        try built.withLock { built in
            if let built, FileManager.default.isExecutableFile(atPath: built) { return built }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "berth-metrics-gin-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let binary = directory.appendingPathComponent("gin-service").path
            var env = ProcessInfo.processInfo.environment
            env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gocache").path
            let result = try Shell.run(
                "/bin/bash", [example.path + "/scripts/go-offline.sh", "build", "-trimpath", "-o", binary, "."], environment: env)
            try result.check()
            built = binary
            return binary
        }
    }

    let port: Int
    let process: Process

    /// `127.0.0.1:PORT`.
    var address: String { "127.0.0.1:\(port)" }

    init(environment: [String: String] = [:]) throws {
        port = try FreePort.find()
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.environment = environment.merging(["ADDR": "127.0.0.1:\(port)"]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<400 where !FreePort.isListening(port) {
            guard process.isRunning else { throw Exited(status: process.terminationStatus) }
            usleep(25_000)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    struct Exited: Error { let status: Int32 }
}

/// Requests sent from the test until it is stopped: `workers` threads per address, each a plain
/// HTTP/1.0 GET after the last. Threads and blocking sockets, not URLSession: cancelling URLSession
/// tasks on Linux can deadlock (seen here), and the load must stop when asked.
final class LoadLoop: Sendable {
    private let stopped = Locked(false)
    private let sent = Locked(0)
    private let running = Locked(0)

    /// `targets` are (port on 127.0.0.1, path).
    init(targets: [(port: Int, path: String)], workers: Int = 3) {
        for target in targets {
            for _ in 0..<workers {
                running.withLock { $0 += 1 }
                Thread { [self] in
                    while !stopped.current {
                        _ = Self.get(port: target.port, path: target.path)
                        sent.withLock { $0 += 1 }
                    }
                    running.withLock { $0 -= 1 }
                }.start()
            }
        }
    }

    /// Stops the loops and waits for them (each request is bounded by 5 s); how many requests were sent.
    @discardableResult
    func stop() -> Int {
        stopped.withLock { $0 = true }
        let deadline = Date().addingTimeInterval(10)
        while running.current > 0 && Date() < deadline { usleep(10_000) }
        return sent.current
    }

    /// One GET to 127.0.0.1:`port`: the status, or nil when it fails.
    static func get(port: Int, path: String) -> Int? {
        (try? LoopbackHTTP.get(port: port, path: path))?.status
    }
}
