import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real Docker Distribution registry (Debian's `docker-registry`) on 127.0.0.1 and a free port, for
/// integration tests: without auth, or with htpasswd Basic auth (bcrypt, as the registry requires).
/// `stop()` ends it by its pid; its access log is kept for request counting.
public final class RegistryServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    public let process: Process
    public let logFile: URL
    public let username: String?
    public let password: String?
    /// The address it listens on: 127.0.0.1, or the certificate's address when it serves TLS.
    public let address: String

    /// `address:port`.
    public var host: String { "\(address):\(port)" }

    /// The registry binary. Tests that start a registry say so with `.requires(.dockerRegistry)`
    /// (and `.htpasswd` for Basic auth), which skips them where it is missing, and fails them in CI.
    public static let binary = "/usr/bin/docker-registry"

    /// Where the registry sends its notifications (Distribution's `notifications.endpoints`): the URL and
    /// the headers each request carries.
    public struct Notifications: Sendable {
        public var url: String
        public var headers: [String: String]

        public init(url: String, headers: [String: String] = [:]) {
            self.url = url
            self.headers = headers
        }

        /// The `notifications:` section: every event but pulls, retried each second.
        var yaml: String {
            let lines = headers.sorted { $0.key < $1.key }.map { "        \($0.key): [\"\($0.value)\"]" }
            return """
                notifications:
                  endpoints:
                    - name: berth
                      url: \(url)
                      timeout: 2s
                      threshold: 3
                      backoff: 1s
                      ignore: {actions: [pull]}
                      headers:
                \(lines.joined(separator: "\n"))

                """
        }
    }

    /// Starts a registry; with `basicAuth` it demands `username`/`password` (written with `htpasswd -B`);
    /// with `tls` it serves https only, on the certificate's address; with `notifications` it sends its
    /// events there.
    public init(basicAuth: Bool = false, tls: TestCertificate? = nil, notifications: Notifications? = nil) throws {
        let needed: [ExternalTool] = basicAuth ? [.dockerRegistry, .htpasswd] : [.dockerRegistry]
        let missing = needed.filter { !$0.isAvailable }
        guard missing.isEmpty else { throw ExternalTool.Missing(missing) }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try FreePort.find()
        var auth = ""
        if basicAuth {
            username = "berth"
            password = "s3cret-\(UUID().uuidString.prefix(8))"
            let htpasswd = directory.appendingPathComponent("htpasswd").path
            try Shell.run(ExternalTool.htpasswd.path, ["-Bbc", htpasswd, username!, password!]).check()
            auth = "auth:\n  htpasswd:\n    realm: berth-test\n    path: \(htpasswd)\n"
        } else {
            username = nil
            password = nil
        }
        address = tls?.address ?? "127.0.0.1"
        let certificate = tls.map { "\n  tls:\n    certificate: \($0.certificate)\n    key: \($0.key)" } ?? ""
        let config = """
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: \(directory.appendingPathComponent("data").path)
              delete:
                enabled: true
            http:
              addr: \(address):\(port)\(certificate)
            \(auth)\(notifications?.yaml ?? "")
            """
        let configFile = directory.appendingPathComponent("config.yml")
        try Data(config.utf8).write(to: configFile)
        logFile = directory.appendingPathComponent("registry.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", configFile.path]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try waitUntilReady()
    }

    func waitUntilReady() throws {
        for _ in 0..<200 {
            if !process.isRunning {
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw ShellError(command: "docker-registry serve", status: process.terminationStatus, stderr: log)
            }
            if FreePort.isListening(port, address: address) { return }
            usleep(25_000)
        }
        throw ShellError(command: "docker-registry serve", status: -1, stderr: "not listening on \(port) after 5 s")
    }

    /// Requests the registry logged, from its access log (`"GET /v2/…" 200`).
    public func accessLogRequests() -> [String] {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard
                let start = line.range(of: "\"GET ") ?? line.range(of: "\"HEAD ") ?? line.range(of: "\"PUT ")
                    ?? line.range(of: "\"POST ") ?? line.range(of: "\"PATCH ") ?? line.range(of: "\"DELETE ")
            else { return nil }
            return String(line[start.lowerBound...].prefix(120))
        }
    }

    /// Stops the registry by its pid and removes its data.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// An address on loopback that refuses connections for as long as this value lives: a port bound, never
/// listening, on a random 127.x.y.z address other than 127.0.0.1. Test servers listen on 127.0.0.1, so
/// none of them can answer there, and the bound port keeps any wildcard listener off it too.
public final class RefusingPort: Sendable {
    public let address: String
    public let port: Int
    private let descriptor: Int32

    /// `address:port`.
    public var host: String { "\(address):\(port)" }

    public init() throws {
        address = "127.\(UInt8.random(in: 1...254)).\(UInt8.random(in: 1...254)).\(UInt8.random(in: 1...254))"
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ShellError(command: "socket", status: errno, stderr: "can't open a socket") }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = inet_addr(address)
        socketAddress.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = descriptor
        let bound = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ShellError(command: "bind", status: errno, stderr: "can't bind \(address):0")
        }
        port = Int(UInt16(bigEndian: socketAddress.sin_port))
    }

    deinit { close(descriptor) }
}

/// Free TCP ports on 127.0.0.1.
public enum FreePort {
    /// Binds port 0 and reports what the kernel chose.
    public static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ShellError(command: "socket", status: errno, stderr: "can't open a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw ShellError(command: "bind", status: errno, stderr: "can't bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on `address`:`port`.
    public static func isListening(_ port: Int, address: String = "127.0.0.1") -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = inet_addr(address)
        socketAddress.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
