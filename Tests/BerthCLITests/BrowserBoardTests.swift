import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// The board in a real browser: the ledger filled through the CLI on a real registry (release, a clean
/// gate, dev, then a scan that needs an approval for staging), `berth serve` on 127.0.0.1, and
/// Tests/browser/board_test.py driving Debian's Chromium through ChromeDriver with Selenium: the board
/// against `berth status`, approving bound to the digest, a disabled Promote forced and refused, a hold
/// from the CLI, a second tab following over server-sent events, cross-origin and viewer posts refused,
/// no token in a page; screenshots in .build/test-artifacts.
@Suite("the board in Chromium (Selenium), against berth serve and the CLI", .serialized)
struct BrowserBoardTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("browser/board_test.py").path
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/test-artifacts").path

    @Test(
        "the board shows berth status, records an approval bound to the digest, refuses forced and cross-origin posts, and updates a second tab live",
        .requires(.dockerRegistry, .chromium, .chromiumDriver, .selenium), .timeLimit(.minutes(5)))
    func board() async throws {
        let scenario = try await LifecycleCLITests.Scenario.start()
        defer { scenario.registry.stop() }
        try scenario.promotedToDevAwaitingApproval()
        let promoter = try scenario.berth("token", "create", "--role", "promoter", "--name", "rel-eng").stdout
            .trimmingCharacters(in: .newlines)
        let viewer = try scenario.berth("token", "create", "--role", "viewer", "--name", "watcher").stdout
            .trimmingCharacters(in: .newlines)
        let server = try ServeProcess(
            cli: scenario.cli, arguments: ["serve", "--listen", "127.0.0.1:0"], directory: scenario.repo.path)
        defer { server.stop() }
        let base = try server.waitForURL()

        var environment = scenario.repo.environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["HOME"] = scenario.repo.environment["HOME"] ?? NSTemporaryDirectory()
        environment["BERTH_TRUST_VENV"] = ExternalTool.trustVenvDirectory
        environment["BERTH_BOARD_URL"] = base
        environment["BERTH_BIN"] = scenario.cli.binary
        environment["BERTH_PROJECT"] = scenario.repo.path
        environment["BERTH_IMAGE"] = scenario.image
        environment["BERTH_DIGEST"] = scenario.digest
        environment["BERTH_PROMOTER_TOKEN"] = promoter
        environment["BERTH_PROMOTER_NAME"] = "rel-eng"
        environment["BERTH_VIEWER_TOKEN"] = viewer
        environment["BERTH_ARTIFACTS"] = Self.artifacts
        environment["SE_OFFLINE"] = "true"
        let run = try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/python3", [Self.script], directory: scenario.repo.path,
            environment: environment, replaceEnvironment: true)
        print(run.stdout)
        #expect(run.status == 0, "board_test.py: \(run.stdout.suffix(2000))\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("passed:") && !run.stdout.contains("skipped"))
        #expect(FileManager.default.fileExists(atPath: Self.artifacts + "/board.png"))
        let (status, output) = server.stop()
        #expect(status == 0, "\(output)")
        #expect(!output.contains(promoter) && !output.contains(viewer), "no token in the server's log")
    }
}
