import BerthCore
import BerthTestSupport
import Foundation
import Logging
import Testing

@testable import BerthLedger

/// `--ledger`, `$BERTH_LEDGER` and berth.yaml's `ledger`: a SQLite path, a PostgreSQL URL, or a refusal, and
/// never a message with the password in it.
@Suite("ledger locations")
struct LedgerLocationTests {
    static let secret = "S3cret"

    /// The refusal of `text`: a usage error whose message never has the password.
    static func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> BerthError? {
        let error = #expect(throws: BerthError.self, "\(text)", sourceLocation: sourceLocation) {
            try LedgerLocation.parse(text)
        }
        #expect(error?.kind == .usage, "\(text)", sourceLocation: sourceLocation)
        #expect(error?.message.contains(secret) == false, "\(error?.message ?? "")", sourceLocation: sourceLocation)
        #expect(error?.message.contains("\n") == false, "one line", sourceLocation: sourceLocation)
        return error
    }

    static func postgres(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LedgerLocation.Postgres {
        guard case .postgres(let postgres) = try LedgerLocation.parse(text) else {
            Issue.record("\(text) is not a PostgreSQL location", sourceLocation: sourceLocation)
            throw BerthError(.failure, "not postgres")
        }
        return postgres
    }

    @Test("a URL that doesn't parse is refused, redacted")
    func unparsable() {
        let error = Self.refusal("postgres://u:S3cret@127.0.0.1:abc/db")
        #expect(error?.message.contains("postgres://u:***@127.0.0.1:abc/db") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("port") == true)
    }

    @Test("a password= parameter is the password, and shown as ***")
    func passwordParameter() throws {
        let postgres = try Self.postgres("postgres://u@h/db?password=S3cret")
        #expect(postgres.password == "S3cret" && postgres.user == "u" && postgres.host == "h" && postgres.database == "db")
        #expect(postgres.description == "postgres://u@h/db?password=***")
        #expect(LedgerLocation.postgres(postgres).description == "postgres://u@h/db?password=***")
        for shown in [
            "\(postgres)", String(reflecting: postgres), "\(LedgerLocation.postgres(postgres))",
            String(reflecting: LedgerLocation.postgres(postgres)),
            {
                var out = ""; dump(postgres, to: &out); return out
            }(),
        ] {
            #expect(!shown.contains(Self.secret), "\(shown)")
        }
    }

    @Test(
        "unknown schemes and URL look-alikes are refused, never a SQLite file",
        arguments: [
            "pg://u:S3cret@h/db", "postgres:/u:S3cret@h/db", "postgres:/x", "postgresql:", "postgresql:u:S3cret@h/db",
            "postgres:u:S3cret@h/db", "file:///tmp/u:S3cret@ledger.sqlite", "http://u:S3cret@h/db", "HTTPS://u:S3cret@h",
            "sqlite://u:S3cret@ledger.sqlite", "a:b.sqlite", "./postgres://u:S3cret@h/db", "C:ledger",
            "host=h user=u password=S3cret", " pg://u:S3cret@h/db",
        ])
    func refused(_ text: String) {
        _ = Self.refusal(text)
    }

    @Test("a mistyped scheme is refused with its name and the expected form")
    func mistypedScheme() {
        let error = Self.refusal("pg://u:S3cret@h/db")
        #expect(error?.message.contains("'pg://u:***@h/db'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("postgres://USER:PASSWORD@HOST") == true)
    }

    @Test("postgres:// and postgresql:// are accepted in any case")
    func schemeCase() throws {
        for text in ["POSTGRES://u:S3cret@h:6543/db", "PostgreSQL://u:S3cret@h:6543/db", "postgresql://u:S3cret@h:6543/db"] {
            let postgres = try Self.postgres(text)
            #expect(postgres.host == "h" && postgres.port == 6543 && postgres.user == "u" && postgres.password == "S3cret")
            #expect(postgres.database == "db" && postgres.sslMode == .prefer)
            #expect(!postgres.description.contains(Self.secret) && postgres.description.contains(":***@h:6543"))
        }
    }

    @Test(
        "plain paths stay SQLite paths, ':' after a '/' included",
        arguments: [
            "ledger.sqlite", ".berth/ledger.sqlite", "./a:b.sqlite", "data/x:y.sqlite", "/var/lib/berth/ledger.sqlite",
            "../shared/ledger.sqlite", "/tmp/a:b@c.sqlite",
        ])
    func paths(_ text: String) throws {
        #expect(try LedgerLocation.parse(text) == .sqlite(path: text))
        #expect(LedgerLocation.sqlite(path: text).description == text)
    }

    @Test("the port is 1-65535 in digits, else refused; 5432 by default")
    func ports() throws {
        #expect(try Self.postgres("postgres://u@h/db").port == 5432)
        #expect(try Self.postgres("postgres://u@h:1/db").port == 1)
        #expect(try Self.postgres("postgres://u@h:65535").port == 65535)
        #expect(try Self.postgres("postgres://u@[::1]:5433/db").host == "::1")
        for port in ["0", "65536", "", "+1", "-1", "1e3", "0x10", " 1", "123456", "١٢"] {
            _ = Self.refusal("postgres://u:S3cret@h:\(port)/db")
        }
    }

    @Test("user, password and database are percent-decoded; a bad encoding is refused")
    func percentDecoding() throws {
        let postgres = try Self.postgres("postgres://us%40er:p%40s%3As%2Fw%23@h/d%20b")
        #expect(postgres.user == "us@er" && postgres.password == "p@s:s/w#" && postgres.database == "d b")
        #expect(!postgres.description.contains("p%40s"))
        _ = Self.refusal("postgres://u:S3cret%zz@h/db")
        _ = Self.refusal("postgres://u%zz:S3cret@h/db")
    }

    @Test("an unencoded '/', '?' or '#' in the password is refused without showing it")
    func unencoded() {
        for text in ["postgres://u:S3c/ret@h/db", "postgres://u:S3c?ret@h/db", "postgres://u:S3c#ret@h/db"] {
            let error = Self.refusal(text)
            #expect(error?.message.contains("S3c") == false, "\(error?.message ?? "")")
            #expect(error?.message.contains("percent-encode") == true, "\(error?.message ?? "")")
        }
    }

    @Test("defaults, sslmode and the other malformed URLs")
    func defaultsAndModes() throws {
        let bare = try Self.postgres("postgres://db.example")
        #expect(bare.user == "postgres" && bare.database == "postgres" && bare.password == nil && bare.sslMode == .prefer)
        #expect(try Self.postgres("postgres://ci@h").database == "ci")
        #expect(try Self.postgres("postgres://u@h/db/").database == "db")
        #expect(try Self.postgres("postgres://u@h/db?sslmode=disable").sslMode == .disable)
        #expect(try Self.postgres("postgres://u@h/db?application_name=x&sslmode=require").sslMode == .require)
        for text in [
            "postgres://u:S3cret@h/db?sslmode=verify-full", "postgres://u:S3cret@/db", "postgres://u:S3cret@h/a/b",
            "postgres://u:S3cret@h/db#frag", "postgres://u:S3cret@h_o st/db", "postgres://u:S3cret@[::1/db",
            "postgres://u:S3cret@::1/db", "postgres://u@h/db?password=S3cret&sslmode=bogus", "",
        ] {
            _ = Self.refusal(text)
        }
    }

    @Test(
        "redaction: the password and only it becomes ***",
        arguments: [
            ("postgres://u:S3cret@127.0.0.1:abc/db", "postgres://u:***@127.0.0.1:abc/db"),
            ("postgres://u@h/db?password=S3cret", "postgres://u@h/db?password=***"),
            ("postgres://u@h/db?sslmode=disable&password=S3cret&x=1", "postgres://u@h/db?sslmode=disable&password=***&x=1"),
            ("postgres://h/db?sslpassword=S3cret", "postgres://h/db?sslpassword=***"),
            ("postgres://u:S3c@ret@h/db", "postgres://u:***@h/db"),
            ("postgres://u:S3c/ret@h/db", "postgres://u:***@h/db"),
            ("postgres://:S3cret@h", "postgres://:***@h"),
            ("pg://u:S3cret@h/db", "pg://u:***@h/db"),
            ("pg:u:S3cret@h/db", "pg:u:***@h/db"),
            ("postgres:/u:S3cret@h/db", "postgres:/u:***@h/db"),
            ("host=h password=S3cret", "host=h password=***"),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgres://h:5432/db", "postgres://h:5432/db"),
            (".berth/ledger.sqlite", ".berth/ledger.sqlite"),
        ])
    func redaction(_ text: String, _ expected: String) {
        #expect(LedgerLocation.redacted(text) == expected)
    }

    @Test("a message from postgres-nio or the server loses the password, decoded or as written")
    func scrubbing() throws {
        let postgres = try Self.postgres("postgres://u:S3c%40ret@h/db")
        let scrubbed = postgres.scrubbed("auth failed for S3c@ret (S3c%40ret) at postgres://u:S3c%40ret@h/db")
        #expect(!scrubbed.contains("S3c"), "\(scrubbed)")
        let parameter = try Self.postgres("postgres://u@h/db?password=S3cret")
        #expect(parameter.scrubbed("config: password=S3cret user=u; S3cret") == "config: password=*** user=u; ***")
    }

    @Test("postgres-nio's log lines pass through a handler that removes the password")
    func logs() throws {
        let postgres = try Self.postgres("postgres://u:S3cret@h/db")
        let lines = LogLines()
        var logger = Logger(label: "test") { _ in
            RedactingLogHandler(wrapping: CapturingLogHandler(lines: lines), location: postgres)
        }
        logger[metadataKey: "connection"] = "postgres://u:S3cret@h/db"
        logger.error(
            "connecting with S3cret", error: BerthError(.failure, "S3cret"),
            metadata: ["config": "password: S3cret", "nested": ["a": "S3cret"]])
        let captured = lines.all.joined(separator: "\n")
        #expect(!captured.isEmpty && !captured.contains(Self.secret), "\(captured)")
    }

    @Test("a refused connection with password= in the query never shows it")
    func refusedConnection() async throws {
        let port = try FreePort.find()
        let error = await #expect(throws: BerthError.self) {
            try await PostgresLedger(url: "postgres://u@127.0.0.1:\(port)/db?password=S3cret&sslmode=disable")
        }
        #expect(error?.kind == .failure && error?.message.contains("unreachable") == true)
        #expect(error?.message.contains(Self.secret) == false, "\(error?.message ?? "")")
        #expect(error?.message.contains("password=***") == true, "\(error?.message ?? "")")
    }
}

/// What a logger emitted, message, metadata and error together.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append("\(event.message) \(metadata) \(event.metadata ?? [:]) \(event.error.map { "\($0)" } ?? "")")
    }
}
