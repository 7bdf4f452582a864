import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// docs/openapi.yaml against the running server, with third-party validators: the ledger filled through
/// the CLI on a real registry (0.1.0 released, gated clean and promoted to dev, a scan that needs an
/// approval for staging, a hold on prod), tokens of each role from `berth token create`, `berth serve`
/// on 127.0.0.1, and Tests/openapi/openapi_conformance.py (openapi-spec-validator on the document, then
/// openapi-core on the answer to every documented operation: status, content type, body schema).
@Suite("docs/openapi.yaml validated against berth serve (openapi-core)", .serialized)
struct OpenAPIConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/openapi/openapi_conformance.py").path
    static let document = root.appendingPathComponent("docs/openapi.yaml").path

    @Test(
        "every documented operation answers as docs/openapi.yaml says: documented status, content type and body schema",
        .requires(.dockerRegistry, .trustVenv, .openapiCore), .timeLimit(.minutes(5)))
    func conformance() async throws {
        let scenario = try await LifecycleCLITests.Scenario.start()
        defer { scenario.registry.stop() }
        try scenario.promotedToDevAwaitingApproval()
        let hold = try scenario.berth("hold", "--env", "prod", "--reason", "release freeze")
        try #require(hold.status == 0, "\(hold.stderr)")
        var tokens: [String: String] = [:]
        for role in ["admin", "promoter", "viewer"] {
            let created = try scenario.berth("token", "create", "--role", role, "--name", "openapi-\(role)")
            try #require(created.status == 0, "\(created.stderr)")
            tokens[role] = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let server = try ServeProcess(
            cli: scenario.cli, arguments: ["serve", "--listen", "127.0.0.1:0"], directory: scenario.repo.path)
        defer { server.stop() }
        let base = try server.waitForURL()

        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": scenario.repo.environment["HOME"] ?? NSTemporaryDirectory(),
            "BERTH_OPENAPI": Self.document, "BERTH_BOARD_URL": base, "BERTH_IMAGE": scenario.image,
            "BERTH_DIGEST": scenario.digest, "BERTH_ADMIN_TOKEN": tokens["admin"] ?? "",
            "BERTH_PROMOTER_TOKEN": tokens["promoter"] ?? "", "BERTH_VIEWER_TOKEN": tokens["viewer"] ?? "",
        ]
        let run = try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/python3", [Self.script], directory: scenario.repo.path,
            environment: environment, replaceEnvironment: true)
        print(run.stdout)
        #expect(run.status == 0, "openapi_conformance.py: \(run.stdout.suffix(6000))\(run.stderr.suffix(3000))")
        // Never a vacuous pass: the script names how many answers it validated over how many operations.
        let summary = run.stdout.split(separator: "\n").last { $0.hasPrefix("validated ") } ?? ""
        let numbers = summary.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 2 && numbers[0] >= 60 && numbers[1] == 21, "\(summary)")
        let (status, output) = server.stop()
        #expect(status == 0, "\(output)")
    }
}

extension LifecycleCLITests.Scenario {
    /// 0.1.0 released, gated clean and promoted to dev, then a scan with a High finding: staging needs an approval.
    func promotedToDevAwaitingApproval() throws {
        try releasedAndPromoted(to: ["dev"])
        let report = try LifecycleCLITests.report("grype-high-1.json", about: digest, in: reports)
        let gate = try berth("gate", "--report", report, "--image", "\(image):v0.1.0")
        try #require(gate.status == 5, "a High finding needs an approval: \(gate.stdout)\(gate.stderr)")
    }
}
