import BerthCore
import BerthOCI
import BerthTrust
import Foundation

/// What berth reads from a registry's signature referrers and tags: the first byte picks the reader —
/// `0` a sigstore bundle v0.3 as a signature (`KeyVerifier.checkBundle`), `1` as an attestation
/// (`checkAttestation`), `2` an in-toto Statement v1 (decoded, written as canonical JSON and read back
/// equal), `3` cosign's simple-signing payload (decoded; `checkSimpleSignature` with a signature made
/// over it is accepted only when it names the subject). The rest is the document. The trusted keys
/// signed the seeds, so the checks behind the signature run on them.
let signer = KeySigner(
    key: try! SigningKey(
        pem: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8hJjcXRa2q/NWUIo
            mn7kAWikLFJ8RWeXugv4r94AjJWhRANCAASFhyEOpx3CGWqD4uBDOx1TTgCMNkEv
            bMCNi6WxbtoRJUuVwJR7ZNfIzDXxygL0W4DqRohg0kiFIujbhGIVs55u
            -----END PRIVATE KEY-----
            """, passphrase: nil, source: "fuzz.key"))
let verifiers = [
    KeyVerifier(key: signer.key.publicKey),
    KeyVerifier(
        key: try! VerificationKey(
            pem: """
                -----BEGIN PUBLIC KEY-----
                MCowBQYDK2VwAyEA6DKutyME7q6GTcktsGAHgquilU7fiB6Bbm1vlUsx5AY=
                -----END PUBLIC KEY-----
                """, source: "fuzz.pub")),
]
let subject = Digest("sha256:d13b313cbcdb351d3f1404abca999421a6c4b9dd43ba3c0e27b72927864aacda")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let all = UnsafeBufferPointer(start: data, count: size)
    let bytes = Data(UnsafeBufferPointer(rebasing: all[1...]))
    switch all[0] % 4 {
    case 0:
        _ = try? JSONDecoder().decode(SigstoreBundle.self, from: bytes)
        for verifier in verifiers {
            let verdict = verifier.checkBundle(bytes, subject: subject)
            precondition(!verdict.accepted || verdict.signerKeyID == verifier.keyID, "accepted without naming the key")
        }
    case 1:
        for verifier in verifiers {
            let checked = verifier.checkAttestation(bytes, subject: subject)
            guard checked.verdict.accepted else { continue }
            precondition(checked.predicateType != nil && checked.predicate?.objectValue != nil, "accepted without a predicate")
            guard let bundle = try? JSONDecoder().decode(SigstoreBundle.self, from: bytes), bundle.dsseEnvelope != nil else {
                preconditionFailure("accepted a bundle that doesn't decode")
            }
        }
    case 2:
        guard let statement = try? JSONDecoder().decode(InTotoStatement.self, from: bytes) else { return 0 }
        guard let written = try? CanonicalJSON.encode(statement),
            let again = try? JSONDecoder().decode(InTotoStatement.self, from: written)
        else { preconditionFailure("a statement that read doesn't write JSON that reads back") }
        precondition(again == statement, "the statement changed on a round trip")
    default:
        guard let payload = try? JSONDecoder().decode(SimpleSigningPayload.self, from: bytes),
            let signature = try? signer.key.signature(for: bytes)
        else { return 0 }
        let verdict = verifiers[0].checkSimpleSignature(
            SimpleSignature(payload: bytes, signature: signature.base64EncodedString()), subject: subject)
        let names =
            payload.critical.image.dockerManifestDigest == subject.description
            && payload.critical.type == SimpleSigningPayload.signatureType
        precondition(verdict.accepted == names, "simple-signing verdict \(verdict.accepted) for \(payload.critical)")
    }
    return 0
}
