import BerthCore
import BerthOCI
import Foundation

/// `ArtifactSigner` with a key in memory: builds the in-toto statement, signs its DSSE PAE, wraps it in
/// a sigstore bundle; signs cosign's simple-signing payload for the legacy layout.
public struct KeySigner: ArtifactSigner {
    public let key: SigningKey

    public init(key: SigningKey) { self.key = key }

    public var keyID: String { key.publicKey.keyID }

    public func statement(for subject: Digest) throws -> Data {
        try CanonicalJSON.encode(
            InTotoStatement(
                subject: [.init(digest: [subject.algorithm: subject.hex])], predicateType: TrustFormats.cosignSignPredicate))
    }

    public func envelope(for subject: Digest) throws -> DSSEEnvelope { try envelope(payload: statement(for: subject)) }

    /// The statement of `attestation` about `subject` (its bytes are what the DSSE signature covers).
    public func statement(_ attestation: Attestation, about subject: Digest) throws -> Data {
        try CanonicalJSON.encode(
            InTotoStatement(
                subject: [.init(digest: [subject.algorithm: subject.hex])], predicateType: attestation.predicateType,
                predicate: attestation.predicate))
    }

    public func attestation(_ attestation: Attestation, about subject: Digest) throws -> SignedAttestation {
        let envelope = try envelope(payload: statement(attestation, about: subject))
        return SignedAttestation(
            bundle: try CanonicalJSON.encode(SigstoreBundle(keyHint: keyID, envelope: envelope)),
            envelope: try CanonicalJSON.encode(envelope))
    }

    func envelope(payload: Data) throws -> DSSEEnvelope {
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: TrustFormats.inTotoPayloadType, payload: payload)
        // cosign leaves `keyid` empty; the bundle's hint names the key.
        return DSSEEnvelope(
            payload: payload, payloadType: TrustFormats.inTotoPayloadType,
            signatures: [.init(sig: try key.signature(for: pae), keyid: "")])
    }

    public func signatureBundle(for subject: Digest) throws -> Data {
        try CanonicalJSON.encode(SigstoreBundle(keyHint: keyID, envelope: envelope(for: subject)))
    }

    public func simpleSignature(for subject: Digest, dockerReference: String) throws -> SimpleSignature {
        let payload = try CanonicalJSON.encode(
            SimpleSigningPayload(dockerReference: dockerReference, digest: subject.description))
        return SimpleSignature(payload: payload, signature: try key.signature(for: payload).base64EncodedString())
    }
}
