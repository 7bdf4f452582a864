import BerthTestSupport
import Foundation
import Testing

/// A registry host with a bad port or name is bad input (exit 65) with one `berth: error:` line naming
/// it: never a crash with a backtrace, never a silently wrapped port.
@Suite("registry hosts on the command line")
struct RegistryHostCLITests {
    static let badHosts = [
        "localhost:-1", "localhost:+80", "localhost:1e3", "localhost:99999", "localhost:0", "localhost:65536", "host:", ":5000",
        "[::1", "a..b", "-a.example",
    ]

    /// One error line, no trace of a crash.
    static func expectOneErrorLine(_ result: ShellResult, naming input: String, sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(result.status == 65, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("berth: error: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(input), "\(result.stderr)", sourceLocation: sourceLocation)
        for crash in ["Fatal error", "Backtrac", "crashed", "Illegal instruction"] {
            #expect(!result.stderr.contains(crash), "\(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("registry ls with a bad registry host exits 65 with one error line", arguments: badHosts)
    func registryList(host: String) throws {
        let reference = "\(host)/a/b"
        // `--` so that `-a.example/a/b` is the operand, not an option.
        let result = try CLIHarness().run(["registry", "ls", "--", reference], in: "/")
        Self.expectOneErrorLine(result, naming: reference)
        #expect(result.stderr.contains("registry host '\(host)'"), "\(result.stderr)")
    }

    @Test("registry catalog with a bad host exits 65 with one error line", arguments: badHosts)
    func registryCatalog(host: String) throws {
        let result = try CLIHarness().run(["registry", "catalog", "--", host], in: "/")
        Self.expectOneErrorLine(result, naming: "registry host '\(host)'")
    }

    static func plan(image: String) throws -> ShellResult {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.commit("chore: config", file: "berth.yaml", content: "image:\n  names: ['\(image)']\n")
        return try CLIHarness().run(["plan", "--registry", "--offline"], in: repo.path, environment: repo.environment)
    }

    @Test(
        "plan --registry with a bad port in berth.yaml image.names exits 65 before connecting anywhere",
        arguments: ["localhost:99999/a", "localhost:-1/a", "localhost:1e3/a", "localhost:0/a", "host:/a", "localhost:+80/a"])
    func planRegistry(image: String) throws {
        Self.expectOneErrorLine(try Self.plan(image: image), naming: image)
    }

    @Test(
        "build --driver turns TLS off only for loopback registries, decided on the address",
        arguments: [
            ("127.0.0.1:5000/hello", true), ("[::1]:5000/hello", true), ("localhost:5000/hello", true),
            ("127.example.test/hello", false), ("127.example.test:5000/hello", false), ("localhost.example/hello", false),
        ])
    func driverTLS(image: String, loopback: Bool) throws {
        let repo = try DriverCLITests.project()
        let result = try CLIHarness().run(
            ["build", "--driver", "buildah", "--dry-run", "--images", image], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("--tls-verify=false") == loopback, "\(result.stdout)")
    }
}
