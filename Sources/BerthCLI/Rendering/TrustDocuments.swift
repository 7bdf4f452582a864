import BerthCore
import BerthOCI
import Foundation

/// The `--json` documents of berth sign, attest and verify (docs/json.md), and the values they need.
enum TrustDocuments {
    /// `host/repository` for a registry, `oci:PATH` for a layout: the identity cosign's payload names.
    static func dockerReference(_ reference: ImageReference) -> String {
        switch reference.store {
        case .registry(let host): "\(host)/\(reference.repository)"
        case .layout(let path): "oci:\(path)"
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    struct SignDocument: Encodable {
        struct Entry: Encodable {
            let subject: String
            let referrer: String
            let legacyTag: String?
            let legacyManifest: String?
        }
        let keyID: String
        let signed: [Entry]

        init(keyID: String, signed: [SigningService.Signed]) {
            self.keyID = keyID
            self.signed = signed.map {
                Entry(
                    subject: $0.subject.description, referrer: $0.referrer.description, legacyTag: $0.legacyTag,
                    legacyManifest: $0.legacyManifest?.description)
            }
        }
    }

    struct AttestDocument: Encodable {
        struct Attested: Encodable {
            let subject: String
            let name: String
            let predicateType: String
            let referrer: String
            let legacyTag: String?
            let legacyManifest: String?
        }
        let keyID: String
        let signed: [SignDocument.Entry]
        let attested: [Attested]
        let notes: [String]

        init(keyID: String, outcome: AttestationService.Outcome) {
            self.keyID = keyID
            signed = SignDocument(keyID: keyID, signed: outcome.signed).signed
            attested = outcome.attested.map {
                Attested(
                    subject: $0.subject.description, name: $0.name, predicateType: $0.predicateType,
                    referrer: $0.referrer.description, legacyTag: $0.legacyTag, legacyManifest: $0.legacyManifest?.description)
            }
            notes = outcome.notes
        }
    }

    struct VerifyDocument: Encodable {
        struct Finding: Encodable {
            let kind: String
            let subject: String
            let location: String
            let signerKeyID: String?
            let accepted: Bool
            let reason: String
            let predicateType: String?
        }
        let image: String
        let keyID: String
        let verified: Bool
        let subjects: [String]
        let unsigned: [String]
        let findings: [Finding]
        /// Present with `--require`/`--source-*`: what the attestation policy found wanting.
        let policyViolations: [String]?

        init(image: String, keyID: String, report: VerificationService.Report, policyViolations: [String]? = nil) {
            self.image = image
            self.keyID = keyID
            verified = report.verified && (policyViolations ?? []).isEmpty
            subjects = report.subjects.map(\.description)
            unsigned = report.unsigned.map(\.description)
            findings = report.findings.map {
                Finding(
                    kind: $0.kind.rawValue, subject: $0.subject.description, location: $0.location,
                    signerKeyID: $0.verdict.signerKeyID, accepted: $0.verdict.accepted, reason: $0.verdict.reason,
                    predicateType: $0.predicateType)
            }
            self.policyViolations = policyViolations
        }
    }
}
