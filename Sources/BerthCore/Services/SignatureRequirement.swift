import BerthOCI
import Foundation

/// An environment's signature rule (berth.yaml `environments[].verify.keys`): what is promoted there
/// must carry a valid signature by one of the trusted keys on its digest and on every manifest of an
/// index. Checked before anything moves; a refusal is `.blocked` (exit 4) with every reason found.
public struct SignatureRequirement: Sendable {
    public let environment: String
    /// One verifier per trusted key.
    public let verifiers: [any SignatureVerifier]

    public init(environment: String, verifiers: [any SignatureVerifier]) {
        self.environment = environment
        self.verifiers = verifiers
    }

    /// Passes when some trusted key verifies `digest` in `repository` of `store`; throws `.blocked` otherwise.
    public func check(store: any ImageStore, repository: String, digest: Digest, reference: String) async throws {
        guard !verifiers.isEmpty else { return }
        var reasons: [String] = []
        for verifier in verifiers {
            let report = try await VerificationService(store: store, verifier: verifier).verify(
                repository, digest: digest, reference: reference)
            if report.verified { return }
            let refused = report.findings.filter { !$0.verdict.accepted }.map(\.verdict.reason)
            reasons.append(
                "key \(verifier.keyID): "
                    + (refused.isEmpty ? "no signature found" : Array(Set(refused)).sorted().joined(separator: "; ")))
        }
        throw BerthError(
            .blocked,
            "environment '\(environment)' requires a signature by a trusted key and \(reference) has none that verifies "
                + "(\(reasons.joined(separator: " | "))); sign it: berth sign \(reference) --key KEY")
    }
}
