import BerthCore
import BerthLedger
import BerthTestSupport
import Foundation
import Testing

/// The PostgreSQL ledger against a throwaway cluster (initdb / pg_ctl on 127.0.0.1).
@Suite("PostgreSQL ledger", .serialized)
struct PostgresLedgerTests {
    @Test("passes the ledger contract, append-only, exactly one winner among 32 racing writers", .requires(.postgresql))
    func contractAndRace() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var count = 0
        try await LedgerContract.verify {
            count += 1
            return try await PostgresLedger(url: try server.createDatabase("contract\(count)"))
        }

        let url = try server.createDatabase("race")
        _ = try await PostgresLedger(url: url)
        try await LedgerContract.verifyRace { try await PostgresLedger(url: url) }

        for statement in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"] {
            let result = try server.psql(statement, database: "race")
            #expect(result.status != 0 && result.stderr.contains("append-only"), "\(statement): \(result.stderr)")
        }
    }

    @Test("a database that is down is a clear error that never shows the password")
    func down() async throws {
        let port = try FreePort.find()
        let error = await #expect(throws: BerthError.self) {
            try await PostgresLedger(url: "postgres://berth:s3cret@127.0.0.1:\(port)/ledger?sslmode=disable")
        }
        #expect(error?.message.contains("unreachable") == true)
        #expect(error?.message.contains("s3cret") == false)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }
}
