import BerthCore
import BerthLedger
import BerthTestSupport
import Foundation
import Testing

@Suite("ledger stores")
struct LedgerTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("berth-ledger-\(UUID().uuidString)/ledger.sqlite").path
    }

    @Test("the in-memory ledger passes the contract")
    func memory() async throws {
        try await LedgerContract.verify { InMemoryLedger() }
    }

    @Test("the SQLite ledger passes the contract")
    func sqlite() async throws {
        try await LedgerContract.verify { try SQLiteLedger(path: Self.temporaryPath()) }
    }

    @Test("SQLite: rows can't be changed or deleted, even with SQL; reopening keeps every event")
    func appendOnly() async throws {
        let path = Self.temporaryPath()
        let ledger = try SQLiteLedger(path: path)
        try await ledger.append(LedgerEvent(kind: .built, repository: "r", actor: "a", time: 1))
        for statement in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"] {
            let result = try Shell.run(
                "/usr/bin/env",
                [
                    "python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                    path, statement,
                ])
            #expect(result.status != 0 && result.stderr.contains("append-only"), "\(statement): \(result.stderr)")
        }
        let reopened = try SQLiteLedger(path: path)
        #expect(try await reopened.events(LedgerQuery()).map(\.actor) == ["a"])
    }

    @Test("SQLite: a file that isn't a ledger is refused with what to do, and left as it was")
    func corrupt() throws {
        let path = Self.temporaryPath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let garbage = Data(repeating: 0x42, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: BerthError.self) { try SQLiteLedger(path: path) }
        #expect(error?.message.contains("is not a berth ledger") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test("SQLite: 32 writers racing on one once key from separate connections: exactly one wins, nothing lost")
    func race() async throws {
        let path = Self.temporaryPath()
        _ = try SQLiteLedger(path: path)
        try await LedgerContract.verifyRace { try SQLiteLedger(path: path) }
    }
}
