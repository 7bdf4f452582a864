import BerthTestSupport
import Foundation
import Testing

/// `berth gate --harbor` through the built binary against a scripted Harbor API on loopback.
@Suite("berth gate --harbor against a scripted Harbor: Harbor's scan judged and recorded, anything it can't trust refused")
struct HarborGateCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BerthCoreTests/Fixtures/harbor").path
    static let digest = "sha256:052240e8190b7057439d2bee1dffb9b37c8800e5c1af349f667635ae1debf8f3"

    /// A project directory with a ledger and a docker config holding a robot account for `host`.
    struct Project {
        let directory: URL
        let environment: [String: String]

        init(host: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("harbor-gate-\(UUID().uuidString)")
            let docker = directory.appendingPathComponent("docker")
            try FileManager.default.createDirectory(at: docker, withIntermediateDirectories: true)
            let auth = Data("robot$ci:HARBOR-SECRET-42".utf8).base64EncodedString()
            try Data(#"{"auths":{"\#(host)":{"auth":"\#(auth)"}}}"#.utf8).write(to: docker.appendingPathComponent("config.json"))
            environment = [
                "HOME": directory.path, "DOCKER_CONFIG": docker.path,
                "BERTH_LEDGER": directory.appendingPathComponent("ledger.sqlite").path,
                "NO_COLOR": "1",
            ]
        }

        func berth(_ arguments: String...) throws -> ShellResult {
            try CLIHarness().run(arguments, in: directory.path, environment: environment)
        }
    }

    static func harbor(_ body: @escaping @Sendable (ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Response) throws
        -> ScriptedHTTPServer
    {
        try ScriptedHTTPServer { request in body(request) }
    }

    @Test("a complete scan: the decision under the policy (4 high: blocked, exit 4), recorded; the password never shown")
    func scanned() throws {
        let body = try String(contentsOfFile: "\(Self.fixtures)/artifact-scanned.json", encoding: .utf8)
        let server = try Self.harbor { request in
            request.path == "/api/v2.0/projects/xuel/repositories/ui%252Fserver/artifacts/1.4.0"
                && request.headers["authorization"] == "Basic " + Data("robot$ci:HARBOR-SECRET-42".utf8).base64EncodedString()
                ? .init(status: 200, body: body) : .init(status: 404, body: #"{"errors":[{"code":"NOT_FOUND","message":"no"}]}"#)
        }
        defer { server.stop() }
        let host = "127.0.0.1:\(server.port)"
        let project = try Project(host: host)
        let gate = try project.berth("gate", "--harbor", "--image", "\(host)/xuel/ui/server:1.4.0", "--json")
        #expect(gate.status == 4, "\(gate.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(gate.stdout.utf8)) as? [String: Any]
        #expect(document?["outcome"] as? String == "block" && document?["scanner"] as? String == "harbor", "\(gate.stdout)")
        #expect(gate.stdout.contains(Self.digest))
        #expect(!gate.stdout.contains("HARBOR-SECRET") && !gate.stderr.contains("HARBOR-SECRET"))
        #expect(server.requests.current.first?.target.contains("with_scan_overview=true") == true)
        let history = try project.berth("history", "--image", "\(host)/xuel/ui/server", "--json")
        #expect(
            history.status == 0 && history.stdout.contains("gate-evaluated") && history.stdout.contains("harbor"),
            "\(history.stdout)")
    }

    @Test("an unfinished, partial or missing scan decides nothing: exit 65, one line, nothing recorded")
    func failsClosed() throws {
        let scanned = try String(contentsOfFile: "\(Self.fixtures)/artifact-scanned.json", encoding: .utf8)
        let bodies = [
            "running": scanned.replacingOccurrences(of: #""scan_status": "Success""#, with: #""scan_status": "Running""#),
            "partial": scanned.replacingOccurrences(of: #""complete_percent": 100"#, with: #""complete_percent": 50"#),
            "mock": try String(contentsOfFile: "\(Self.fixtures)/artifact-portal-mock.json", encoding: .utf8),
        ]
        let server = try Self.harbor { request in
            let name = request.path.split(separator: "/").last.map(String.init) ?? ""
            return .init(status: 200, body: bodies[name] ?? "{}")
        }
        defer { server.stop() }
        let host = "127.0.0.1:\(server.port)"
        let project = try Project(host: host)
        for (name, says) in [
            ("running", "\"Running\", not Success"), ("partial", "only 50% complete"), ("mock", "no vulnerability scan"),
        ] {
            let gate = try project.berth("gate", "--harbor", "--image", "\(host)/xuel/app:\(name)")
            #expect(gate.status == 65, "\(name): \(gate.stderr)")
            #expect(
                gate.stderr.contains(says) && gate.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1,
                "\(gate.stderr)")
        }
        let history = try project.berth("history", "--image", "\(host)/xuel/app", "--json")
        #expect(!history.stdout.contains("gate-evaluated"), "\(history.stdout)")
    }

    @Test("Harbor's 401 is exit 1 with what to do; --harbor-url sends the API elsewhere; --report and --harbor together is usage")
    func refusalsAndOptions() throws {
        let server = try Self.harbor { request in
            request.path.hasPrefix("/sub/api/v2.0/")
                ? .init(status: 200, body: try! String(contentsOfFile: "\(Self.fixtures)/artifact-scanned.json", encoding: .utf8))
                : .init(status: 401, body: #"{"errors":[{"code":"UNAUTHORIZED","message":"unauthorized"}]}"#)
        }
        defer { server.stop() }
        let host = "127.0.0.1:\(server.port)"
        let project = try Project(host: host)
        let refused = try project.berth("gate", "--harbor", "--image", "\(host)/xuel/app:1.4.0")
        #expect(
            refused.status == 1 && refused.stderr.contains("401 UNAUTHORIZED") && refused.stderr.contains("docker login \(host)"))
        #expect(!refused.stderr.contains("HARBOR-SECRET"))
        let elsewhere = try project.berth(
            "gate", "--harbor-url", "\(server.url)/sub", "--image", "\(host)/xuel/app:1.4.0")
        #expect(elsewhere.status == 4, "\(elsewhere.stderr)")
        let both = try project.berth("gate", "--harbor", "--report", "r.json", "--image", "\(host)/xuel/app:1")
        #expect(both.status == 64 && both.stderr.contains("either --report FILE or --harbor"))
        let neither = try project.berth("gate", "--image", "\(host)/xuel/app:1")
        #expect(neither.status == 64)
    }
}
