import BerthProcess
import Foundation

/// A throwaway PostgreSQL cluster on 127.0.0.1 and a free port (Debian's `postgresql`): `initdb` into a
/// temp directory with trust auth for loopback, `pg_ctl start`, and `stop()` by `pg_ctl stop`. As root
/// (CI), the server runs as the `postgres` user, which PostgreSQL requires.
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    private let bin: String
    private let asPostgres: Bool

    /// The directory holding initdb and pg_ctl, when PostgreSQL is installed.
    public static var binaryDirectory: String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    /// Starts a cluster. Tests that do say so with `.requires(.postgresql)`.
    public init() throws {
        guard ExternalTool.postgresql.isAvailable, let bin = Self.binaryDirectory else {
            throw ExternalTool.Missing([.postgresql])
        }
        self.bin = bin
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        asPostgres = getuid() == 0
        if asPostgres { try Shell.run("/bin/chown", ["postgres:postgres", directory]).check() }
        try run("initdb", ["-D", "\(directory)/data", "-U", "berth", "--auth=trust", "--no-sync", "-E", "UTF8"])
        try run(
            "pg_ctl",
            [
                "-D", "\(directory)/data", "-l", "\(directory)/log", "-w", "-t", "60", "-o",
                "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start",
            ])
    }

    /// `postgres://berth@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    public func url(database: String = "postgres") -> String { "postgres://berth@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// Creates an empty database and returns its URL.
    public func createDatabase(_ name: String) throws -> String {
        try Shell.run(
            bin + "/psql",
            ["-h", "127.0.0.1", "-p", String(port), "-U", "berth", "-d", "postgres", "-c", "CREATE DATABASE \(name)"]
        ).check()
        return url(database: name)
    }

    /// Runs SQL in `database` with psql; returns psql's result.
    public func psql(_ sql: String, database: String) throws -> ShellResult {
        try Shell.run(
            bin + "/psql",
            ["-h", "127.0.0.1", "-p", String(port), "-U", "berth", "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    public func stop() {
        _ = try? run("pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    /// Runs a PostgreSQL tool with its output in a file: the server pg_ctl starts would otherwise
    /// inherit the output pipes and the read would never end.
    private func run(_ tool: String, _ arguments: [String]) throws {
        let command = (asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + ["\(bin)/\(tool)"] + arguments
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let output = "\(directory)/\(tool).out"
        // ProcessRunner's pipes are close-on-exec, so only fds 1 and 2 reach the shell, and those go to a file.
        let result = try ProcessRunner.run("/bin/sh", ["-c", "\(quoted) > '\(output)' 2>&1 < /dev/null"])
        guard result.status == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw ShellError(command: tool, status: result.status, stderr: text)
        }
    }
}
