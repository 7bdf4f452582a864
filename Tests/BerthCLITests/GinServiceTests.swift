import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The example Gin service, planned by berth, built offline with Debian's Go and Gin using berth's
/// -ldflags, run on 127.0.0.1: GET /version must answer exactly the planned version and commit.
@Suite("examples/gin-service end to end", .requires(.go, .gin))
struct GinServiceTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/gin-service")

    @Test("the service's own Go tests pass offline")
    func goTests() throws {
        var env = ProcessInfo.processInfo.environment
        env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gocache").path
        let result = try Shell.run("/bin/bash", [Self.example.path + "/scripts/go-offline.sh", "test", "."], environment: env)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
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
