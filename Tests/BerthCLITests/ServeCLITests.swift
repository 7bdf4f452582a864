import BerthCore
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `berth token` and `berth serve` as a user runs them: tokens made through the CLI into a SQLite ledger,
/// the server started on a free loopback port, asked over HTTP, and stopped by its pid with SIGTERM.
@Suite("berth serve and berth token, the running binary", .serialized)
struct ServeCLITests {
    @Test(
        "token create prints the token once; serve answers /readyz and the board with it; revoke holds at once; SIGTERM exits 0")
    func serveWithTokens() throws {
        let cli = try CLIHarness()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = ["--ledger", "\(directory)/ledger.sqlite"]
        let created = try cli.run(["token", "create", "--role", "viewer", "--name", "ci-bot"] + ledger, in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("berth_") && token.count == 83)
        #expect(!created.stderr.contains(token))
        let list = try cli.run(["token", "list", "--json"] + ledger, in: directory)
        #expect(list.stdout.contains("ci-bot") && !list.stdout.contains(token) && !list.stdout.contains(String(token.suffix(64))))

        let server = try ServeProcess(cli: cli, arguments: ["serve", "--listen", "127.0.0.1:0"] + ledger, directory: directory)
        defer { server.stop() }
        let base = try server.waitForURL()
        #expect(try HTTP.get(base + "readyz").status == 200)
        #expect(try HTTP.get(base + "api/v1/board").status == 401)
        let board = try HTTP.get(base + "api/v1/board", token: token)
        #expect(board.status == 200)
        let document = try JSONSerialization.jsonObject(with: board.body) as? [String: Any]
        #expect(document?["environments"] as? [String] == ["dev", "staging", "prod"])
        #expect(document?["services"] as? [Any] != nil)

        let id = String(token.dropFirst(6).prefix(12))
        #expect(try cli.run(["token", "revoke", id] + ledger, in: directory).status == 0)
        #expect(try HTTP.get(base + "api/v1/board", token: token).status == 401, "a revocation holds at once, in another process")

        let (status, output) = server.stop()
        #expect(status == 0, "SIGTERM finishes and exits 0: \(output)")
        #expect(!output.contains(token), "no token in the server's output")
    }

    @Test(
        "two servers on one PostgreSQL ledger agree: a revocation or a hold through one holds on the other within 1 s, and at once with their listening connections killed",
        .requires(.postgresql))
    func replicasOnPostgres() throws {
        let cli = try CLIHarness()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let postgres = try PostgresServer()
        defer { postgres.stop() }
        let ledger = ["--ledger", try postgres.createDatabase("serve")]
        func create(_ role: String) throws -> String {
            let created = try cli.run(["token", "create", "--role", role] + ledger, in: directory)
            #expect(created.status == 0, "\(created.stderr)")
            return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (viewer, second, admin) = (try create("viewer"), try create("viewer"), try create("admin"))
        let servers = try (0..<2).map { index in
            try ServeProcess(
                cli: cli, arguments: ["serve", "--listen", "127.0.0.1:0"] + ledger, directory: directory,
                log: "serve-\(index).log")
        }
        defer { for server in servers { server.stop() } }
        let bases = try servers.map { try $0.waitForURL() }
        for base in bases {
            #expect(try HTTP.get(base + "readyz").status == 200)
            #expect(try HTTP.get(base + "api/v1/board", token: viewer).status == 200)
            #expect(try HTTP.get(base + "api/v1/board", token: second).status == 200)
        }
        // Each server learns of the other's appends from its listening connection (LISTEN/NOTIFY): a
        // revocation through A is refused by A at once and by B within the listener's trust (1 s).
        let revoked = try HTTP.delete(bases[0] + "api/v1/tokens/" + String(viewer.dropFirst(6).prefix(12)), token: admin)
        #expect(revoked.status == 200, "\(String(decoding: revoked.body, as: UTF8.self))")
        #expect(try HTTP.get(bases[0] + "api/v1/board", token: viewer).status == 401)
        let refused = try Self.within(seconds: 1) { try HTTP.get(bases[1] + "api/v1/board", token: viewer).status == 401 }
        #expect(refused != nil, "the other replica refuses the revoked token within 1 s")
        print("replica B refused a token revoked through replica A after \(refused.map { "\(Int($0 * 1000)) ms" } ?? "-")")

        // A hold recorded through A shows on B's board.
        let held = "registry.example/acme/held"
        let hold = try HTTP.post(
            bases[0] + "api/v1/holds", json: #"{"repository": "\#(held)", "environment": "prod", "reason": "freeze"}"#,
            token: admin)
        #expect(hold.status == 201, "\(String(decoding: hold.body, as: UTF8.self))")
        let shown = try Self.within(seconds: 1) {
            String(decoding: try HTTP.get(bases[1] + "api/v1/board", token: second).body, as: UTF8.self).contains(held)
        }
        #expect(shown != nil, "B's board shows the service A's hold added, within 1 s")

        // Both listening connections killed: until they are back, each request reads the newest id, so a
        // revocation by the CLI holds on both at once.
        let killed = try postgres.psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'berth-listen'",
            database: "serve")
        #expect(killed.stdout.contains(" 2\n"), "one listening connection per server: \(killed.stdout)")
        #expect(try cli.run(["token", "revoke", String(second.dropFirst(6).prefix(12))] + ledger, in: directory).status == 0)
        for base in bases { #expect(try HTTP.get(base + "api/v1/board", token: second).status == 401) }
        for base in bases { #expect(try HTTP.get(base + "api/v1/board", token: admin).status == 200) }

        postgres.stop()
        for base in bases { #expect(try HTTP.get(base + "readyz").status == 503, "the ledger is down") }
        for server in servers {
            let (status, output) = server.stop()
            #expect(status == 0, "\(output)")
            for token in [viewer, second, admin] { #expect(!output.contains(token)) }
        }
    }

    /// Asks `condition` every 5 ms for up to `seconds`; how long until it held, or nil.
    static func within(seconds: Double, _ condition: () throws -> Bool) throws -> Double? {
        let start = Date()
        repeat {
            if try condition() { return Date().timeIntervalSince(start) }
            Thread.sleep(forTimeInterval: 0.005)
        } while Date().timeIntervalSince(start) < seconds
        return nil
    }

    @Test(
        "after release, gate and two promotions through the CLI, the board shows what berth status says, in berth.yaml's order",
        .requires(.dockerRegistry))
    func boardMatchesStatus() async throws {
        let scenario = try await LifecycleCLITests.Scenario.start()
        defer { scenario.registry.stop() }
        try scenario.releasedAndPromoted(to: ["dev", "staging"])
        let status = try scenario.berth("status", "--json")
        try #require(status.status == 0, "\(status.stderr)")
        let rows = try #require(try LifecycleCLITests.json(status) as? [[String: Any]])
        let token = try scenario.berth("token", "create", "--role", "viewer").stdout.trimmingCharacters(in: .newlines)
        let server = try ServeProcess(
            cli: scenario.cli, arguments: ["serve", "--listen", "127.0.0.1:0"], directory: scenario.repo.path)
        defer { server.stop() }
        let base = try server.waitForURL()
        let response = try HTTP.get(base + "api/v1/board", token: token)
        #expect(response.status == 200)
        let board = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(board["environments"] as? [String] == ["dev", "staging", "prod"])
        let services = try #require(board["services"] as? [[String: Any]])
        #expect(services.map { $0["repository"] as? String } == [scenario.image])
        let cells = try #require(services.first?["cells"] as? [[String: Any]])
        for row in rows {
            let cell = try #require(cells.first { $0["environment"] as? String == row["environment"] as? String })
            #expect(cell["version"] as? String == row["version"] as? String)
            #expect(cell["digest"] as? String == row["digest"] as? String)
            #expect(cell["digest"] as? String == scenario.digest)
            #expect(cell["actor"] as? String == row["actor"] as? String)
            #expect(cell["since"] as? String == row["since"] as? String)
        }
        #expect(rows.count == 2 && cells[2]["version"] == nil, "nothing in prod yet")
        let page = String(decoding: try HTTP.get(base, token: token).body, as: UTF8.self)
        #expect(page.contains("0.1.0") && page.contains(scenario.image))

        // A promoter promotes to prod through the API: the same retag and record as berth promote.
        let promoter = try scenario.berth("token", "create", "--role", "promoter", "--name", "release-bot").stdout
            .trimmingCharacters(in: .newlines)
        let body = """
            {"repository": "\(scenario.image)", "version": "0.1.0", "environment": "prod", "digest": "\(scenario.digest)"}
            """
        #expect(try HTTP.post(base + "api/v1/promotions", json: body, token: token).status == 403, "a viewer can't")
        let promoted = try HTTP.post(base + "api/v1/promotions", json: body, token: promoter)
        #expect(promoted.status == 201, "\(String(decoding: promoted.body, as: UTF8.self))")
        #expect(try scenario.digestOf("v0.1.0") == scenario.digest)
        let after = try #require(try LifecycleCLITests.json(try scenario.berth("status", "--json")) as? [[String: Any]])
        let prod = after.first { $0["environment"] as? String == "prod" }
        #expect(prod?["actor"] as? String == "release-bot" && prod?["digest"] as? String == scenario.digest)
        #expect(server.stop().status == 0)
    }

    @Test("--auth none is refused unless the address is loopback (64); a bad --listen is a usage error")
    func refusals() throws {
        let cli = try CLIHarness()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = ["--ledger", "\(directory)/ledger.sqlite"]
        let open = try cli.run(["serve", "--listen", "0.0.0.0:0", "--auth", "none"] + ledger, in: directory)
        #expect(open.status == 64)
        #expect(open.stderr.contains("--auth none") && open.stderr.contains("127.0.0.1"))
        #expect(try cli.run(["serve", "--listen", "somewhere"] + ledger, in: directory).status == 64)
        #expect(try cli.run(["serve", "--listen", "127.0.0.1:0", "--base-path", "../x"] + ledger, in: directory).status == 64)
        #expect(try cli.run(["token", "create", "--role", "root"] + ledger, in: directory).status == 64)
        #expect(try cli.run(["token", "create", "--role", "viewer", "--expires", "soon"] + ledger, in: directory).status == 64)
        #expect(try cli.run(["token", "revoke", "000000000000"] + ledger, in: directory).status == 64)
    }

    @Test("--auth none on 127.0.0.1 under --base-path serves the board page without credentials")
    func loopbackWithoutAuthentication() throws {
        let cli = try CLIHarness()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServeProcess(
            cli: cli,
            arguments: [
                "serve", "--listen", "127.0.0.1:0", "--auth", "none", "--base-path", "/berth", "--ledger",
                "\(directory)/ledger.sqlite",
            ], directory: directory)
        defer { server.stop() }
        let base = try server.waitForURL()
        #expect(base.hasSuffix("/berth/"))
        let page = try HTTP.get(base)
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("release board"))
        #expect(server.stop().status == 0)
    }

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "berth-serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// `berth serve` in the background, its output in a file; stopped by its pid.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let output: String

    init(
        cli: CLIHarness, arguments: [String], directory: String, log: String = "serve.log", environment: [String: String] = [:]
    ) throws {
        output = directory + "/" + log
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.executableURL = URL(fileURLWithPath: cli.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory]
            .merging(environment) { _, extra in extra }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The server's base URL, from its `listening on` line (20 s at most).
    func waitForURL() throws -> String {
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://") {
                let url = text[range.lowerBound...].dropFirst("listening on ".count).prefix { $0 != " " && $0 != "\n" }
                return String(url)
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ServeFailure(output: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// SIGTERM, then waits up to 20 s (SIGKILL after that); the exit status and everything it wrote.
    @discardableResult
    func stop() -> (status: Int32, output: String) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<200 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    struct ServeFailure: Error, CustomStringConvertible {
        let output: String
        var description: String { "berth serve did not start: \(output)" }
    }
}

/// Blocking requests to the server on loopback.
enum HTTP {
    static func post(_ url: String, json: String, token: String) throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return try send(request)
    }

    static func delete(_ url: String, token: String) throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 30)
        request.httpMethod = "DELETE"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return try send(request)
    }

    static func get(_ url: String, token: String? = nil) throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 10)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return try send(request)
    }

    static func send(_ request: URLRequest) throws -> (status: Int, body: Data) {
        let result = Locked<Result<(Int, Data), any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            result.withLock {
                $0 =
                    error.map { .failure($0) }
                    ?? .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try result.current!.get()
    }
}
