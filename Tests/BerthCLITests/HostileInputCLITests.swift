import BerthCore
import BerthLedger
import BerthTestSupport
import Foundation
import Testing

/// Free text and inputs echoed back can't forge lines, reach the terminal as escape sequences, or make
/// an error line as large as the input.
@Suite("hostile text in, safe text out")
struct HostileInputCLITests {
    @Test("a reason holding a newline or an escape sequence is refused; one already in a ledger prints escaped")
    func reasons() async throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.write("berth.yaml", "image:\n  names: [registry.example/acme/api]\nledger: ../ledger.sqlite\n")
        let cli = try CLIHarness()
        let forged = try cli.run(
            ["approve", "0.1.0", "--env", "dev", "--reason", "ok\u{1B}[2J\n2026-01-01T00:00:00Z  #99  approved prod"],
            in: repo.path, environment: repo.environment)
        #expect(forged.status == 64 && forged.stderr.contains("control character U+001B"), "\(forged.stderr)")
        #expect(!forged.stderr.contains("\u{1B}"))

        // Written by an older berth (or by hand): history shows it on one line, escaped.
        let ledger = try SQLiteLedger(path: repo.path + "/../ledger.sqlite")
        try await ledger.append(
            LedgerEvent(
                kind: .markedBad, repository: "registry.example/acme/api", version: "0.1.0",
                digest: "sha256:" + String(repeating: "a", count: 64),
                environment: "prod", actor: "mallory\u{1B}]0;pwned\u{07}", time: 1_704_067_200,
                reason: "bad\n2024-01-01T00:00:00Z  #1  promoted prod  9.9.9"))
        let history = try cli.run(["history"], in: repo.path, environment: repo.environment)
        #expect(history.status == 0)
        #expect(history.stdout.split(separator: "\n").count == 1, "one event, one line: \(history.stdout)")
        #expect(!history.stdout.contains("\u{1B}") && history.stdout.contains("\\u{1B}") && history.stdout.contains("bad\\n2024"))
    }

    @Test("a version that isn't SemVer is bad input (65) for every lifecycle command")
    func versions() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        try repo.write("berth.yaml", "image:\n  names: [registry.example/acme/api]\nledger: ../ledger.sqlite\n")
        let cli = try CLIHarness()
        for arguments in [
            ["promote", "latest", "--to", "dev"], ["approve", "v1.0", "--env", "dev", "--reason", "x"],
            ["rollback", "dev", "--to", "one"],
        ] {
            let result = try cli.run(arguments, in: repo.path, environment: repo.environment)
            #expect(result.status == 65 && result.stderr.contains("is not a SemVer version"), "\(arguments): \(result.stderr)")
        }
    }

    @Test("an error quoting an 8 MB input stays one bounded line")
    func hugeInput() throws {
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        let huge = String(repeating: "A", count: 8 << 20)
        try repo.write("berth.yaml", "image:\n  names: [\"\(huge)\"]\n")
        let result = try CLIHarness().run(["plan", "--offline"], in: repo.path, environment: repo.environment)
        #expect(result.status != 0)
        #expect(result.stderr.utf8.count < 4096 && result.stderr.contains("more characters"), "\(result.stderr.prefix(300))")
    }
}
