import BerthOCI
import Foundation

/// Checks signatures berth (or cosign) attached to an image against one public key (BerthTrust).
public protocol SignatureVerifier: Sendable {
    /// The trusted key's id (base64 SHA-256 of its PKIX public key).
    var keyID: String { get }
    /// Checks a sigstore bundle found as a referrer of `subject`: the DSSE signature over its PAE, then
    /// the in-toto statement (type, cosign's signature predicate, `subject` among its subjects).
    func checkBundle(_ bundle: Data, subject: Digest) -> SignatureVerdict
    /// Checks a legacy cosign signature: the signature over `payload`, then the payload's
    /// `critical.image.docker-manifest-digest` against `subject`.
    func checkSimpleSignature(_ signature: SimpleSignature, subject: Digest) -> SignatureVerdict
    /// Checks an attestation found as a referrer of `subject` (a sigstore bundle): the DSSE signature,
    /// then the in-toto statement (type, `subject` among its subjects); any predicate type.
    func checkAttestation(_ bundle: Data, subject: Digest) -> AttestationVerdict
    /// Checks a DSSE envelope from cosign's legacy `sha256-<hex>.att` tag, as `checkAttestation` does.
    func checkAttestationEnvelope(_ envelope: Data, subject: Digest) -> AttestationVerdict
}

/// What a verifier concluded about one attestation, with the statement's predicate when it verified.
public struct AttestationVerdict: Sendable, Equatable {
    public let verdict: SignatureVerdict
    /// The statement's predicate type, once the signature verified.
    public let predicateType: String?
    /// The predicate, once the signature verified (a policy reads it: a provenance's repository, say).
    public let predicate: JSONValue?

    public init(verdict: SignatureVerdict, predicateType: String? = nil, predicate: JSONValue? = nil) {
        self.verdict = verdict
        self.predicateType = predicateType
        self.predicate = predicate
    }
}

/// What a verifier concluded about one signature.
public struct SignatureVerdict: Sendable, Equatable {
    /// Whether the signature is by the trusted key and about the subject.
    public let accepted: Bool
    /// Why not, or what was checked, one line.
    public let reason: String
    /// The key id the signature names (a bundle's public-key hint), when it names one.
    public let signerKeyID: String?

    public init(accepted: Bool, reason: String, signerKeyID: String? = nil) {
        self.accepted = accepted
        self.reason = reason
        self.signerKeyID = signerKeyID
    }
}
