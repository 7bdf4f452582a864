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
        guard let bundle = try? JSONDecoder().decode(SigstoreBundle.self, from: bytes) else {
            return SignatureVerdict(accepted: false, reason: "not a sigstore bundle (unreadable JSON)")
        }
        let hint = bundle.verificationMaterial.publicKey?.hint
        func refuse(_ reason: String) -> SignatureVerdict { SignatureVerdict(accepted: false, reason: reason, signerKeyID: hint) }
        guard SigstoreBundle.acceptedMediaTypes.contains(bundle.mediaType) else {
            return refuse("bundle media type '\(bundle.mediaType)' is not v0.3")
        }
        guard let envelope = bundle.dsseEnvelope else { return refuse("the bundle holds no DSSE envelope") }
        guard envelope.payloadType == TrustFormats.inTotoPayloadType else {
            return refuse("DSSE payload type '\(envelope.payloadType)' is not \(TrustFormats.inTotoPayloadType)")
        }
        let pae = envelope.preAuthenticationEncoding
        guard envelope.signatures.contains(where: { key.isValid(signature: $0.sig, for: pae) }) else {
            if let hint, hint != keyID { return refuse("signed by another key (\(hint)), not \(keyID)") }
            return refuse("the DSSE signature doesn't verify with key \(keyID)")
        }
        guard let statement = try? JSONDecoder().decode(InTotoStatement.self, from: envelope.payload) else {
            return refuse("the signed payload is not an in-toto statement")
        }
        guard statement.type == TrustFormats.statementType else {
            return refuse("statement type '\(statement.type)' is not in-toto v1")
        }
        guard statement.predicateType == TrustFormats.cosignSignPredicate else {
            return refuse("predicate '\(statement.predicateType)' is not a signature (\(TrustFormats.cosignSignPredicate))")
        }
        guard statement.subject.contains(where: { $0.digest[subject.algorithm] == subject.hex }) else {
            return refuse("the statement is about another digest, not \(subject)")
        }
        return SignatureVerdict(
            accepted: true, reason: "DSSE signature by \(keyID) over a cosign signature statement", signerKeyID: keyID)
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
