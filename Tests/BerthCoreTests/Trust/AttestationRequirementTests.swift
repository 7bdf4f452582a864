import BerthOCI
import Foundation
import Testing

@testable import BerthCore

/// The promotion rule of berth.yaml's `verify` with `require`, `source_repository` and `source_ref`,
/// decided on verification reports alone (`SignatureRequirement.refusal`): what passes, and what each
/// refusal names.
@Suite("an environment's attestation policy, decided on verification reports")
struct AttestationRequirementTests {
    static let index = Digest.sha256(of: Data("index".utf8))
    static let amd64 = Digest.sha256(of: Data("amd64".utf8))
    static let arm64 = Digest.sha256(of: Data("arm64".utf8))
    static let image = Digest.sha256(of: Data("image".utf8))
    static let reference = "registry.example/acme/api@\(image)"

    typealias Finding = VerificationService.Finding

    static func signature(_ subject: Digest, accepted: Bool = true, reason: String = "ok") -> Finding {
        Finding(
            kind: .sigstoreBundle, subject: subject, location: "sha256:referrer",
            verdict: SignatureVerdict(accepted: accepted, reason: reason))
    }

    static func provenance(
        _ subject: Digest, repository: String? = "https://github.com/acme/api", ref: String? = "refs/heads/main",
        accepted: Bool = true, reason: String = "ok"
    ) -> Finding {
        var parameters: [String: JSONValue] = [:]
        if let repository { parameters["repository"] = .string(repository) }
        if let ref { parameters["ref"] = .string(ref) }
        return Finding(
            kind: .attestation, subject: subject, location: "sha256:referrer",
            verdict: SignatureVerdict(accepted: accepted, reason: reason),
            predicateType: TrustFormats.slsaProvenancePredicate,
            predicate: accepted ? .object(["buildDefinition": .object(["externalParameters": .object(parameters)])]) : nil)
    }

    static func sbom(_ subject: Digest) -> Finding {
        Finding(
            kind: .legacyAttestation, subject: subject, location: "sha256-x.att",
            verdict: SignatureVerdict(accepted: true, reason: "ok"), predicateType: TrustFormats.spdxPredicate,
            predicate: .object(["spdxVersion": .string("SPDX-2.3")]))
    }

    static func report(_ findings: [Finding], subjects: [Digest] = [image], indexes: Set<Digest> = [])
        -> VerificationService.Report
    {
        VerificationService.Report(subjects: subjects, findings: findings, indexes: indexes)
    }

    static let fromMain = AttestationPolicy(
        required: [TrustFormats.slsaProvenancePredicate], repositories: ["https://github.com/acme/api"],
        refs: ["refs/heads/main"])

    /// One case: the policy, each key's report, and what the refusal must say (nil: it passes).
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let policy: AttestationPolicy
        let reports: [VerificationService.Report]
        let says: [String]?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "signed, no attestation asked: passes", policy: .init(), reports: [report([signature(image)])], says: nil),
        Case(
            name: "unsigned: refused for the signature before any attestation is judged", policy: fromMain,
            reports: [report([provenance(image)])],
            says: ["requires a signature by a trusted key", "key k0: no signature found", "berth sign \(reference)"]),
        Case(
            name: "signed by another key only: refused with the verifier's reason", policy: .init(),
            reports: [report([signature(image, accepted: false, reason: "signed by another key (x), not k0")])],
            says: ["key k0: signed by another key (x), not k0"]),
        Case(
            name: "signed, no provenance: refused naming the digest and what is missing", policy: fromMain,
            reports: [report([signature(image)])],
            says: [
                "environment 'prod' requires a provenance from https://github.com/acme/api of refs/heads/main",
                "\(image.short): no provenance attestation by the key",
                "berth attest \(reference) --key KEY --source-repository https://github.com/acme/api --ref refs/heads/main",
            ]),
        Case(
            name: "a provenance from another repository: refused naming both", policy: fromMain,
            reports: [report([signature(image), provenance(image, repository: "https://github.com/evil/api")])],
            says: ["provenance from repository 'https://github.com/evil/api', not https://github.com/acme/api"]),
        Case(
            name: "a provenance of another ref: refused naming both", policy: fromMain,
            reports: [report([signature(image), provenance(image, ref: "refs/heads/feature")])],
            says: ["provenance of ref 'refs/heads/feature', not refs/heads/main"]),
        Case(
            name: "a provenance naming no repository: refused", policy: fromMain,
            reports: [report([signature(image), provenance(image, repository: nil)])],
            says: ["provenance from repository 'none'"]),
        Case(
            name: "a provenance refused by the verifier: refused with its reason", policy: fromMain,
            reports: [report([signature(image), provenance(image, accepted: false, reason: "signed by another key (x)")])],
            says: ["no provenance attestation by the key (found one refused: signed by another key (x))"]),
        Case(
            name: "the matching provenance (repository spelled with .git, another case): passes", policy: fromMain,
            reports: [report([signature(image), provenance(image, repository: "https://github.com/ACME/api.git")])],
            says: nil),
        Case(
            name: "one provenance from elsewhere beside a matching one: passes (the matching one vouches)", policy: fromMain,
            reports: [
                report([signature(image), provenance(image, repository: "https://github.com/evil/api"), provenance(image)])
            ], says: nil),
        Case(
            name: "signed by one trusted key, attested by the other: passes", policy: fromMain,
            reports: [report([signature(image)]), report([provenance(image)])], says: nil),
        Case(
            name: "a ref pattern with a trailing * matches a prefix",
            policy: AttestationPolicy(refs: ["refs/tags/v*"]),
            reports: [report([signature(image), provenance(image, ref: "refs/tags/v1.2.0")])], says: nil),
        Case(
            name: "an index: every manifest needs its provenance, every platform manifest its SBOM",
            policy: AttestationPolicy(
                required: [TrustFormats.slsaProvenancePredicate, TrustFormats.spdxPredicate],
                repositories: ["https://github.com/acme/api"]),
            reports: [
                report(
                    [index, amd64, arm64].map { signature($0) } + [provenance(index), provenance(amd64), sbom(amd64)],
                    subjects: [index, amd64, arm64], indexes: [index])
            ],
            says: ["\(arm64.short): no provenance attestation", "\(arm64.short): no sbom attestation"]),
        Case(
            name: "an index fully attested: passes (the index itself needs no SBOM)",
            policy: AttestationPolicy(required: [TrustFormats.slsaProvenancePredicate, TrustFormats.spdxPredicate]),
            reports: [
                report(
                    [index, amd64, arm64].map { signature($0) } + [index, amd64, arm64].map { provenance($0) }
                        + [sbom(amd64), sbom(arm64)], subjects: [index, amd64, arm64], indexes: [index])
            ], says: nil),
        Case(
            name: "a predicate type by URI, absent: refused naming the URI",
            policy: AttestationPolicy(required: ["https://example.com/review/v1"]), reports: [report([signature(image)])],
            says: ["no https://example.com/review/v1 attestation by the key"]),
        Case(
            name: "a report that checked no subject never passes", policy: .init(),
            reports: [report([], subjects: [])], says: ["nothing of \(reference) was checked"]),
        Case(name: "no report at all never passes", policy: .init(), reports: [], says: ["was checked"]),
    ]

    @Test("the rule's decision", arguments: cases)
    func decision(_ example: Case) {
        let requirement = SignatureRequirement(environment: "prod", verifiers: [], attestations: example.policy)
        let reports = example.reports.enumerated().map { (keyID: "k\($0.offset)", report: $0.element) }
        let refusal = requirement.refusal(reports, reference: Self.reference)
        guard let says = example.says else {
            #expect(refusal == nil, "\(refusal ?? "")")
            return
        }
        let text = try? #require(refusal, "passed; expected a refusal")
        for part in says { #expect(text?.contains(part) == true, "'\(part)' not in: \(text ?? "")") }
        #expect(text?.contains("\n") == false, "one line")
    }

    @Test("the policy reads as a sentence in a refusal")
    func summary() {
        #expect(Self.fromMain.summary == "a provenance from https://github.com/acme/api of refs/heads/main")
        let both = AttestationPolicy(
            required: [TrustFormats.spdxPredicate, TrustFormats.verificationSummaryPredicate])
        #expect(both.summary == "an SBOM and a vulnerability verification summary")
    }
}
