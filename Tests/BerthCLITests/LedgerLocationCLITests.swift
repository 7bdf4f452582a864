import BerthTestSupport
import Foundation
import Testing

/// `--ledger`, `$BERTH_LEDGER` and berth.yaml's `ledger` from the command line: a URL berth can't use is
/// refused before anything is written, and no message shows its password.
@Suite("ledger locations on the command line")
struct LedgerLocationCLITests {
    static let secret = "S3cret"

    /// Every file and directory under `directory`, except git's own.
    static func files(in directory: String) -> Set<String> {
        let all = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
        return Set(all.filter { $0 != ".git" && !$0.hasPrefix(".git/") })
    }

    /// Runs `berth status` with `ledger` given as `--ledger`; expects `status`, no secret and no new file.
    static func status(
        ledger: String, expecting status: Int32, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let repo = try GitRepoBuilder()
        defer { repo.remove() }
        try repo.commit("feat: first")
        let before = files(in: repo.path)
        let result = try CLIHarness().run(
            ["status", "--ledger", ledger, "--image", "r.example/a"], in: repo.path, environment: repo.environment)
        #expect(result.status == status, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(
            !result.stderr.contains(secret) && !result.stdout.contains(secret), "\(result.stderr)", sourceLocation: sourceLocation
        )
        #expect(files(in: repo.path) == before, "a file was created", sourceLocation: sourceLocation)
        return result.stderr
    }

    @Test("a URL that doesn't parse is a usage error that shows it redacted")
    func unparsable() throws {
        let stderr = try Self.status(ledger: "postgres://u:S3cret@127.0.0.1:abc/db", expecting: 64)
        #expect(stderr.contains("postgres://u:***@127.0.0.1:abc/db"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "one line: \(stderr)")
    }

    @Test("a mistyped scheme is refused (64), not a SQLite ledger in a directory named after the password")
    func mistypedScheme() throws {
        let stderr = try Self.status(ledger: "pg://u:S3cret@h/db", expecting: 64)
        #expect(stderr.contains("pg://u:***@h/db") && stderr.contains("postgres://"), "\(stderr)")
        for ledger in [
            "postgres:/u:S3cret@h/db", "postgresql:u:S3cret@h/db", "file://u:S3cret@host/ledger", "http://u:S3cret@h/",
        ] {
            _ = try Self.status(ledger: ledger, expecting: 64)
        }
    }

    @Test("a PostgreSQL that refuses the connection: exit 1, quickly, without the password")
    func refused() throws {
        let start = Date()
        let stderr = try Self.status(ledger: "postgres://u:S3cret@127.0.0.1:1/db", expecting: 1)
        #expect(Date().timeIntervalSince(start) < 8, "port 1 refuses at once; no 10 s connect timeout")
        #expect(stderr.contains("unreachable") && stderr.contains("postgres://u:***@127.0.0.1:1/db"), "\(stderr)")
        let parameter = try Self.status(ledger: "postgres://u@127.0.0.1:1/db?password=S3cret&sslmode=disable", expecting: 1)
        #expect(parameter.contains("password=***"), "\(parameter)")
    }

    @Test("$BERTH_LEDGER and berth.yaml's ledger are refused the same way")
    func environmentAndConfiguration() throws {
        let repo = try GitRepoBuilder()
        defer { repo.remove() }
        try repo.commit("feat: first")
        let cli = try CLIHarness()
        let before = Self.files(in: repo.path)
        var environment = repo.environment
        environment["BERTH_LEDGER"] = "POSTGRES:/u:S3cret@h/db"
        let fromEnvironment = try cli.run(["status", "--image", "r.example/a"], in: repo.path, environment: environment)
        #expect(fromEnvironment.status == 64 && !fromEnvironment.stderr.contains(Self.secret), "\(fromEnvironment.stderr)")
        #expect(Self.files(in: repo.path) == before)

        try repo.write("berth.yaml", "ledger: pg://u:S3cret@h/db\n")
        let fromConfiguration = try cli.run(["status", "--image", "r.example/a"], in: repo.path, environment: repo.environment)
        #expect(fromConfiguration.status == 64 && !fromConfiguration.stderr.contains(Self.secret), "\(fromConfiguration.stderr)")
        #expect(Self.files(in: repo.path) == before.union(["berth.yaml"]))
    }

    @Test("a path with ':' after a '/' stays a SQLite ledger")
    func colonPath() throws {
        let repo = try GitRepoBuilder()
        defer { repo.remove() }
        try repo.commit("feat: first")
        let result = try CLIHarness().run(
            ["status", "--ledger", "./a:b.sqlite", "--image", "r.example/a"], in: repo.path, environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: repo.path + "/a:b.sqlite"))
    }
}
