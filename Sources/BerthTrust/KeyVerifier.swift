import BerthCore
import BerthOCI
import Foundation

/// `SignatureVerifier` with one trusted public key. Every check is offline: the bundle's own bytes and
/// the key, no transparency log (bundles naming log entries are read, their entries not checked).
public struct KeyVerifier: SignatureVerifier {
    public let key: VerificationKey

    public init(key: VerificationKey) { self.key = key }

    public var keyID: String { key.keyID }

    public func checkBundle(_ bytes: Data, subject: Digest) -> SignatureVerdict {
        if let bundle = try? JSONDecoder().decode(SigstoreBundle.self, from: bytes), bundle.dsseEnvelope == nil,
            let signature = bundle.messageSignature, SigstoreBundle.acceptedMediaTypes.contains(bundle.mediaType)
        {
            return check(signature, hint: bundle.verificationMaterial.publicKey?.hint, subject: subject)
        }
        let checked = checkAttestation(bytes, subject: subject)
        guard checked.verdict.accepted else { return checked.verdict }
        guard checked.predicateType == TrustFormats.cosignSignPredicate else {
            return SignatureVerdict(
                accepted: false,
                reason:
                    "predicate '\(checked.predicateType ?? "")' is not a signature (\(TrustFormats.cosignSignPredicate))",
                signerKeyID: checked.verdict.signerKeyID)
        }
        return SignatureVerdict(
            accepted: true, reason: "DSSE signature by \(keyID) over a cosign signature statement", signerKeyID: keyID)
    }

    public func checkAttestation(_ bytes: Data, subject: Digest) -> AttestationVerdict {
        guard let bundle = try? JSONDecoder().decode(SigstoreBundle.self, from: bytes) else {
            return AttestationVerdict(
                verdict: SignatureVerdict(accepted: false, reason: "not a sigstore bundle (unreadable JSON)"))
        }
        let hint = bundle.verificationMaterial.publicKey?.hint
        guard SigstoreBundle.acceptedMediaTypes.contains(bundle.mediaType) else {
            return AttestationVerdict(
                verdict: SignatureVerdict(
                    accepted: false, reason: "bundle media type '\(bundle.mediaType)' is not v0.3", signerKeyID: hint))
        }
        guard let envelope = bundle.dsseEnvelope else {
            return AttestationVerdict(
                verdict: SignatureVerdict(accepted: false, reason: "the bundle holds no DSSE envelope", signerKeyID: hint))
        }
        return check(envelope, hint: hint, subject: subject)
    }

    /// A signature over the artifact by its digest: the digest must be `subject`'s (SHA-256), the
    /// signature this key's over it.
    private func check(_ signature: SigstoreBundle.MessageSignature, hint: String?, subject: Digest) -> SignatureVerdict {
        guard let digest = signature.messageDigest, digest.algorithm == "SHA2_256", subject.algorithm == "sha256",
            let bytes = Data(base64Encoded: digest.digest)
        else {
            return SignatureVerdict(
                accepted: false, reason: "the bundle's message signature names no SHA-256 digest", signerKeyID: hint)
        }
        guard bytes.lowercaseHex == subject.hex else {
            return SignatureVerdict(
                accepted: false, reason: "the message signature signs another digest, not \(subject)", signerKeyID: hint)
        }
        guard key.algorithm == .ecdsaP256 else {
            return SignatureVerdict(
                accepted: false,
                reason: "an Ed25519 message signature covers the artifact's bytes, which berth doesn't have; sign with DSSE",
                signerKeyID: hint)
        }
        guard let raw = Data(base64Encoded: signature.signature), key.isValid(signature: raw, forSHA256: bytes) else {
            if let hint, hint != keyID {
                return SignatureVerdict(
                    accepted: false, reason: "signed by another key (\(hint)), not \(keyID)", signerKeyID: hint)
            }
            return SignatureVerdict(
                accepted: false, reason: "the message signature doesn't verify with key \(keyID)", signerKeyID: hint)
        }
        return SignatureVerdict(accepted: true, reason: "message signature by \(keyID) over \(subject)", signerKeyID: keyID)
    }

    public func checkAttestationEnvelope(_ bytes: Data, subject: Digest) -> AttestationVerdict {
        guard let envelope = try? JSONDecoder().decode(DSSEEnvelope.self, from: bytes) else {
            return AttestationVerdict(verdict: SignatureVerdict(accepted: false, reason: "not a DSSE envelope (unreadable JSON)"))
        }
        return check(envelope, hint: nil, subject: subject)
    }

    /// The checks in order: payload type, a signature over the PAE by the key, an in-toto Statement v1,
    /// `subject` among its subjects.
    private func check(_ envelope: DSSEEnvelope, hint: String?, subject: Digest) -> AttestationVerdict {
        func refuse(_ reason: String, signer: String? = hint) -> AttestationVerdict {
            AttestationVerdict(verdict: SignatureVerdict(accepted: false, reason: reason, signerKeyID: signer))
        }
        guard envelope.payloadType == TrustFormats.inTotoPayloadType else {
            return refuse("DSSE payload type '\(envelope.payloadType)' is not \(TrustFormats.inTotoPayloadType)")
        }
        let pae = envelope.preAuthenticationEncoding
        guard envelope.signatures.contains(where: { key.isValid(signature: $0.sig, for: pae) }) else {
            if let hint, hint != keyID { return refuse("signed by another key (\(hint)), not \(keyID)") }
            return refuse("the DSSE signature doesn't verify with key \(keyID)")
        }
        guard let statement = try? JSONDecoder().decode(InTotoStatement.self, from: envelope.payload) else {
            return refuse("the signed payload is not an in-toto statement", signer: keyID)
        }
        guard statement.type == TrustFormats.statementType else {
            return refuse("statement type '\(statement.type)' is not in-toto v1", signer: keyID)
        }
        guard statement.subject.contains(where: { $0.digest[subject.algorithm] == subject.hex }) else {
            return refuse("the statement is about another digest, not \(subject)", signer: keyID)
        }
        guard statement.predicate.objectValue != nil else {
            return refuse("the statement's predicate is not a JSON object", signer: keyID)
        }
        return AttestationVerdict(
            verdict: SignatureVerdict(
                accepted: true, reason: "DSSE signature by \(keyID) over a \(statement.predicateType) statement",
                signerKeyID: keyID),
            predicateType: statement.predicateType, predicate: statement.predicate)
    }

    public func checkSimpleSignature(_ signature: SimpleSignature, subject: Digest) -> SignatureVerdict {
        guard let raw = Data(base64Encoded: signature.signature) else {
            return SignatureVerdict(accepted: false, reason: "the signature annotation is not base64")
        }
        guard key.isValid(signature: raw, for: signature.payload) else {
            return SignatureVerdict(accepted: false, reason: "the signature doesn't verify with key \(keyID)")
        }
        guard let payload = try? JSONDecoder().decode(SimpleSigningPayload.self, from: signature.payload),
            payload.critical.type == SimpleSigningPayload.signatureType
        else {
            return SignatureVerdict(
                accepted: false, reason: "the signed payload is not a cosign simple-signing payload", signerKeyID: keyID)
        }
        guard payload.critical.image.dockerManifestDigest == subject.description else {
            return SignatureVerdict(
                accepted: false, reason: "the payload signs \(payload.critical.image.dockerManifestDigest), not \(subject)",
                signerKeyID: keyID)
        }
        return SignatureVerdict(accepted: true, reason: "simple-signing signature by \(keyID)", signerKeyID: keyID)
    }
}
