import BerthCore
import BerthOCI

// The `--json` documents of the lifecycle commands (docs/json.md describes them; the goldens pin them).

/// `berth gate --json`.
struct GateDocument: Encodable {
    let outcome: String
    let image: String
    let digest: String
    let counts: [String: Int]
    let reasons: [String]
    let excepted: [String]
    let report: String
    let scanner: String
    let event: Int64?

    init(_ decision: GateRecord, image: String) {
        outcome = decision.outcome.rawValue
        self.image = image
        digest = decision.digest.description
        counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.description, decision.counts[$0] ?? 0) })
        reasons = decision.reasons
        excepted = decision.excepted
        report = decision.report
        scanner = decision.scanner
        event = decision.eventID
    }
}

/// `berth promote --json`.
struct PromoteDocument: Encodable {
    let version: String
    let digest: String
    let environment: String
    let tags: [String]
    let event: Int64?
    let deployed: Int64?
    let commit: String?
}

/// `berth release --json`.
struct ReleaseDocument: Encodable {
    struct Image: Encodable {
        let repository: String
        let digest: String
        let event: Int64?
    }
    let version: String
    let gitTag: String
    let commit: String
    let images: [Image]
    /// With signing on (berth.yaml `sign:`, `--sign`): what was signed and attested, what was there already.
    var signing: TrustDocuments.AttestDocument? = nil
}

/// A row of `berth status --json`.
struct StatusRow: Encodable {
    let environment: String
    let version: String?
    let digest: String?
    let since: String
    let event: String
    let actor: String
}

/// `--json` without a repository: one entry per repository the ledger knows.
struct StatusRepository: Encodable {
    let repository: String
    let environments: [StatusRow]
}

/// An event of `berth history --json`.
struct HistoryRow: Encodable {
    let id: Int64?
    let kind: String
    /// Only when listing every repository (no --image, no image.names).
    let repository: String?
    let version: String?
    let digest: String?
    let environment: String?
    let gitSHA: String?
    let actor: String
    let time: String
    let reason: String?
    let details: [String: String]
}
