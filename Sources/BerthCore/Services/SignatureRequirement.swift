import BerthOCI
import Foundation

/// An environment's trust rule (berth.yaml `environments[].verify`): what is promoted there must carry a
/// valid signature by one of the trusted keys on its digest and on every manifest of an index, and, when
/// `attestations` asks for them, the attestations it names by a trusted key (as `berth verify --require …
/// --source-repository … --source-ref …` checks them). Checked before anything moves; a refusal is
/// `.blocked` (exit 4) naming what is missing or wrong. Fails closed: what can't be read is an error, and
/// a check that covered nothing never passes.
public struct SignatureRequirement: Sendable {
    public let environment: String
    /// One verifier per trusted key.
    public let verifiers: [any SignatureVerifier]
    /// The attestations required beyond the signature; empty for none.
    public let attestations: AttestationPolicy

    public init(environment: String, verifiers: [any SignatureVerifier], attestations: AttestationPolicy = .init()) {
        self.environment = environment
        self.verifiers = verifiers
        self.attestations = attestations
    }

    /// Passes when some trusted key verifies `digest` in `repository` of `store` and the trusted keys'
    /// attestations meet `attestations`; throws `.blocked` otherwise.
    public func check(store: any ImageStore, repository: String, digest: Digest, reference: String) async throws {
        guard !verifiers.isEmpty else { return }
        var reports: [(keyID: String, report: VerificationService.Report)] = []
        for verifier in verifiers {
            let report = try await VerificationService(store: store, verifier: verifier).verify(
                repository, digest: digest, reference: reference)
            reports.append((verifier.keyID, report))
        }
        if let refusal = refusal(reports, reference: reference) { throw BerthError(.blocked, refusal) }
    }

    /// Why the reports (one per trusted key, in key order) don't meet the rule, as one line; nil when they
    /// do. Pure: the decision `check` makes.
    public func refusal(_ reports: [(keyID: String, report: VerificationService.Report)], reference: String) -> String? {
        guard !reports.isEmpty, reports.allSatisfy({ !$0.report.subjects.isEmpty }) else {
            return "environment '\(environment)' requires a signature by a trusted key and nothing of \(reference) "
                + "was checked; check berth.yaml's verify.keys"
        }
        guard reports.contains(where: { $0.report.verified }) else {
            let reasons = reports.map { keyID, report in
                let refused = report.findings.filter { $0.kind.isSignature && !$0.verdict.accepted }.map(\.verdict.reason)
                return "key \(keyID): "
                    + (refused.isEmpty ? "no signature found" : Array(Set(refused)).sorted().joined(separator: "; "))
            }
            return "environment '\(environment)' requires a signature by a trusted key and \(reference) has none that verifies "
                + "(\(reasons.joined(separator: " | "))); sign it: berth sign \(reference) --key KEY"
        }
        guard !attestations.isEmpty else { return nil }
        // Each attestation may come from any trusted key: the findings of every key, read together.
        let first = reports[0].report
        let merged = VerificationService.Report(
            subjects: first.subjects, findings: reports.flatMap(\.report.findings), indexes: first.indexes)
        let violations = attestations.violations(merged)
        guard !violations.isEmpty else { return nil }
        var fix = "berth attest \(reference) --key KEY"
        if let repository = attestations.repositories.first { fix += " --source-repository \(repository)" }
        if let ref = attestations.refs.first, !ref.hasSuffix("*") { fix += " --ref \(ref)" }
        return "environment '\(environment)' requires \(attestations.summary) by a trusted key and \(reference) "
            + "doesn't meet it: \(violations.joined(separator: "; ")); attest it from the right source: \(fix)"
    }
}
