import BerthCore
import BerthOCI
import Foundation
import Hummingbird

/// The JSON documents of `/api/v1` (docs/openapi.yaml describes each).
enum APIDocuments {
    struct Board: Encodable {
        let time: String
        let environments: [String]
        let services: [Service]
    }

    struct Service: Encodable {
        let repository: String
        let cells: [Cell]
    }

    struct Cell: Encodable {
        let environment: String
        let version: String?
        let digest: String?
        let since: String?
        let ageSeconds: Int?
        let event: String?
        let eventID: Int64?
        let actor: String?
        let gate: Gate?
        let approvals: [Approval]
        let badMarks: [Mark]
        let next: Candidate?
        /// Holds in force on the environment or the digest it runs.
        let holds: [Hold]
        /// The newest canary in the environment.
        let canary: Canary?
    }

    struct Candidate: Encodable {
        let environment: String
        let gate: Gate?
        let approvals: [Approval]
        /// The gate there needs an approval no one has given yet.
        let awaitsApproval: Bool
        /// Holds that stop the promotion there.
        let holds: [Hold]
    }

    struct Gate: Encodable {
        let outcome: String
        let counts: [String: Int]
        let reasons: [String]
        let event: Int64?
    }

    struct Approval: Encodable {
        let actor: String?
        let reason: String
        let expires: String?
        let event: Int64?
    }

    struct Mark: Encodable {
        let reason: String
        let event: Int64?
    }

    struct Event: Encodable {
        let id: Int64?
        let kind: String
        let repository: String
        let version: String?
        let digest: String?
        let environment: String?
        let gitSHA: String?
        let actor: String
        let time: String
        let reason: String?
        let details: [String: String]
    }

    struct History: Encodable {
        let repository: String
        let events: [Event]
        /// The query for the next (older) page; nil on the last.
        let next: String?
    }

    struct ApprovalRequest: Decodable {
        let repository: String
        let version: String
        let environment: String
        /// The digest the caller was shown: refused if the version's digest is another now.
        let digest: String
        let reason: String
        /// The gate event the caller was shown: refused if a newer decision replaced it.
        let gate: Int64?
        let expires: String?
    }

    struct PromotionRequest: Decodable {
        let repository: String
        let version: String
        let environment: String
        /// The digest the caller was shown: refused if the version's digest is another now.
        let digest: String
        let reason: String?
    }

    struct PromotionResult: Encodable {
        /// `promoted`, or `already` when the environment already ran the digest.
        let status: String
        let repository: String
        let version: String
        let environment: String
        let digest: String
        let event: Int64?
        let actor: String?
    }

    struct RollbackRequest: Decodable {
        let repository: String
        let environment: String
        /// The digest the caller saw running there: refused if another runs now.
        let from: String
        /// The version to return to; absent: the newest earlier release that passed its gates and isn't bad.
        let to: String?
        let reason: String
    }

    struct RollbackResult: Encodable {
        /// `plan` (nothing done, `?plan=true`), or `rolled-back`.
        let status: String
        let repository: String
        let environment: String
        let fromVersion: String?
        let fromDigest: String
        let toVersion: String
        let toDigest: String
        let tags: [String]
        let clearance: String
        let event: Int64?
        let actor: String?
    }

    struct ApprovalResult: Encodable {
        /// `approved`, or `not-needed` when the gate passed or warned.
        let status: String
        let repository: String
        let version: String
        let environment: String
        let digest: String
        let gate: Int64?
        let event: Int64?
        let actor: String?
    }

    static func board(_ board: ReleaseBoard) -> Board {
        Board(
            time: RFC3339.utc(seconds: Int64(board.time)), environments: board.environments,
            services: board.rows.map { row in
                Service(repository: row.repository, cells: row.cells.map { cell($0, now: board.time) })
            })
    }

    static func cell(_ cell: ReleaseBoard.Cell, now: Double) -> Cell {
        let state = cell.state
        return Cell(
            environment: cell.environment, version: state?.version, digest: state?.digest,
            since: state.map { RFC3339.utc(seconds: Int64($0.since)) }, ageSeconds: state.map { max(0, Int(now - $0.since)) },
            event: state?.event.kind.rawValue, eventID: state?.event.id, actor: state?.event.actor,
            gate: cell.gate.map(gate),
            approvals: cell.approvals.map(approval), badMarks: cell.badMarks.map { Mark(reason: $0.reason, event: $0.eventID) },
            next: cell.next.map {
                Candidate(
                    environment: $0.environment, gate: $0.gate.map(gate), approvals: $0.approvals.map(approval),
                    awaitsApproval: $0.awaitsApproval, holds: $0.holds.map(hold))
            }, holds: cell.holds.map(hold), canary: cell.canary.map(canary))
    }

    static func gate(_ record: GateRecord) -> Gate {
        Gate(
            outcome: record.outcome.rawValue,
            counts: Dictionary(uniqueKeysWithValues: record.counts.map { ($0.key.description, $0.value) }),
            reasons: record.reasons, event: record.eventID)
    }

    static func approval(_ record: ApprovalRecord) -> Approval {
        Approval(
            actor: record.actor, reason: record.reason, expires: record.expires.map { RFC3339.utc(seconds: Int64($0)) },
            event: record.eventID)
    }

    static func event(_ event: LedgerEvent) -> Event {
        Event(
            id: event.id, kind: event.kind.rawValue, repository: event.repository, version: event.version,
            digest: event.digest, environment: event.environment, gitSHA: event.gitSHA, actor: event.actor,
            time: RFC3339.utc(seconds: Int64(event.time)), reason: event.reason, details: event.details)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        jsonResponse(try encoded(value), status: status)
    }

    /// `value` as the API writes JSON: sorted keys, a final newline.
    static func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    static func jsonResponse(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// An API refusal: `{"error": "…"}` with one line saying what to do.
enum APIError {
    static func response(_ status: HTTPResponse.Status, _ message: String) -> Response {
        (try? APIDocuments.json(["error": message], status: status))
            ?? Response(status: status, body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    /// The HTTP status for a core refusal.
    static func status(for kind: FailureKind) -> HTTPResponse.Status {
        switch kind {
        case .usage: .badRequest
        case .badInput: .unprocessableContent
        case .conflict, .blocked, .needsApproval: .conflict
        case .failure: .badGateway
        }
    }
}

/// Why a request was refused, as an HTTP status and one line saying what to do.
struct Refusal: Error {
    let status: HTTPResponse.Status
    let message: String
}
