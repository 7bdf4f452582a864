import BerthOCI
import Foundation

/// Signs what berth attaches to an image, with one key (BerthTrust holds the key and the crypto).
///
/// The core never sees key bytes: it asks for finished documents and stores them.
public protocol ArtifactSigner: Sendable {
    /// The signer's key id: base64 of the SHA-256 of its PKIX public key, as cosign writes it in a
    /// bundle's `verificationMaterial.publicKey.hint`.
    var keyID: String { get }
    /// A sigstore bundle v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`): a DSSE envelope of an
    /// in-toto Statement v1 about `subject` with cosign's signature predicate
    /// (`https://sigstore.dev/cosign/sign/v1`), key-based, no transparency log.
    func signatureBundle(for subject: Digest) throws -> Data
    /// cosign's legacy "simple signing" payload for `subject` as pushed to `dockerReference`
    /// (`host/repository`), with its base64 signature.
    func simpleSignature(for subject: Digest, dockerReference: String) throws -> SimpleSignature
    /// `attestation`'s predicate in an in-toto Statement v1 about `subject`, signed as DSSE: the sigstore
    /// bundle v0.3 for the referrer, and the same envelope alone for cosign's legacy `.att` layer.
    func attestation(_ attestation: Attestation, about subject: Digest) throws -> SignedAttestation
}

/// A signed attestation in both of the forms berth writes; both carry the same signature.
public struct SignedAttestation: Sendable, Equatable {
    /// A sigstore bundle v0.3 holding the DSSE envelope.
    public let bundle: Data
    /// The DSSE envelope alone (`application/vnd.dsse.envelope.v1+json`).
    public let envelope: Data

    public init(bundle: Data, envelope: Data) {
        self.bundle = bundle
        self.envelope = envelope
    }
}

/// A legacy cosign signature: the payload layer and the value of its `dev.cosignproject.cosign/signature` annotation.
public struct SimpleSignature: Sendable, Equatable {
    public let payload: Data
    /// Base64 of the signature over `payload`.
    public let signature: String

    public init(payload: Data, signature: String) {
        self.payload = payload
        self.signature = signature
    }
}
