import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real HAProxy (Debian's `haproxy`) on 127.0.0.1 and free ports, in the foreground (`-db`), with an
/// admin socket (a UNIX socket in its directory, and optionally a TCP one on loopback) for the runtime
/// API. `stop()` ends it by its pid (SIGTERM, then SIGKILL).
public final class HAProxyServer: @unchecked Sendable {
    /// Tests that start one say so with `.requires(.haproxy)`.
    public static let binary = "/usr/sbin/haproxy"

    public let directory: String
    public let ports: [Int]
    public let configFile: String
    /// The admin socket's path.
    public let socket: String
    /// `127.0.0.1:PORT` of the TCP admin socket, when asked for.
    public let tcpSocket: String?
    public let process: Process

    public var port: Int { ports[0] }

    /// Starts HAProxy with `ports` free ports; `config` gives everything after the `global` and
    /// `defaults` sections (frontends, backends) for this directory and those ports.
    public init(ports count: Int = 1, tcpSocket: Bool = false, config: (_ directory: String, _ ports: [Int]) throws -> String)
        throws
    {
        guard ExternalTool.haproxy.isAvailable else { throw ExternalTool.Missing([.haproxy]) }
        directory = "/tmp/berth-haproxy-\(UUID().uuidString.prefix(8))"  // short: a socket path has 107 bytes
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        ports = try (0..<count).map { _ in try FreePort.find() }
        socket = "\(directory)/admin.sock"
        let tcpPort = tcpSocket ? try FreePort.find() : nil
        self.tcpSocket = tcpPort.map { "127.0.0.1:\($0)" }
        configFile = "\(directory)/haproxy.cfg"
        let body = try config(directory, ports)
        let tcpLine = tcpPort.map { "  stats socket ipv4@127.0.0.1:\($0) level admin\n" } ?? ""
        let text = """
            global
              stats socket \(socket) mode 600 level admin
            \(tcpLine)defaults
              mode http
              timeout connect 2s
              timeout client 10s
              timeout server 10s
            \(body)

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: configFile))
        let log = "\(directory)/haproxy.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-db", "-f", configFile]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<400 {
            if !process.isRunning {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw ShellError(command: "haproxy", status: process.terminationStatus, stderr: text)
            }
            if ports.allSatisfy({ FreePort.isListening($0) }) && FileManager.default.fileExists(atPath: socket)
                && tcpPort.map({ FreePort.isListening($0) }) != false
            {
                return
            }
            usleep(25_000)
        }
        stop()
        throw ShellError(command: "haproxy", status: -1, stderr: "not listening on \(ports) after 10 s")
    }

    /// Stops HAProxy by its pid (SIGTERM, SIGKILL after 5 s) and removes its directory.
    public func stop() {
        if process.isRunning {
            let pid = process.processIdentifier
            kill(pid, SIGTERM)
            if !NginxServer.waitForExit(process, seconds: 5) {
                kill(pid, SIGKILL)
                _ = NginxServer.waitForExit(process, seconds: 5)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}
