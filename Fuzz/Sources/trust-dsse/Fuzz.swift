import BerthCore
import BerthOCI
import BerthTrust
import Foundation

/// DSSE envelopes as cosign's legacy `.att` layers hold them (`KeyVerifier.checkAttestationEnvelope`):
/// the envelope's JSON, its PAE, the signature by the trusted keys (the seeds are signed by them, so the
/// statement checks behind the signature run on them), the in-toto statement and its subject. An
/// accepted envelope decodes, names the subject, and carries a predicate that is a JSON object.
let verifiers = [
    """
    -----BEGIN PUBLIC KEY-----
    MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhYchDqcdwhlqg+LgQzsdU04AjDZB
    L2zAjYulsW7aESVLlcCUe2TXyMw18coC9FuA6kaIYNJIhSLo24RiFbOebg==
    -----END PUBLIC KEY-----
    """,
    """
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEA6DKutyME7q6GTcktsGAHgquilU7fiB6Bbm1vlUsx5AY=
    -----END PUBLIC KEY-----
    """,
].map { KeyVerifier(key: try! VerificationKey(pem: $0, source: "fuzz.pub")) }
let subject = Digest("sha256:d13b313cbcdb351d3f1404abca999421a6c4b9dd43ba3c0e27b72927864aacda")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let envelope = try? JSONDecoder().decode(DSSEEnvelope.self, from: bytes) {
        let pae = envelope.preAuthenticationEncoding
        precondition(pae.starts(with: Data("DSSEv1 ".utf8)) && pae.suffix(envelope.payload.count) == envelope.payload)
    }
    for verifier in verifiers {
        let checked = verifier.checkAttestationEnvelope(bytes, subject: subject)
        guard checked.verdict.accepted else { continue }
        precondition(checked.verdict.signerKeyID == verifier.keyID, "accepted without naming the key")
        precondition(checked.predicateType != nil && checked.predicate?.objectValue != nil, "accepted without a predicate")
        guard let envelope = try? JSONDecoder().decode(DSSEEnvelope.self, from: bytes),
            let statement = try? JSONDecoder().decode(InTotoStatement.self, from: envelope.payload)
        else { preconditionFailure("accepted an envelope that doesn't decode") }
        precondition(statement.subject.contains { $0.digest["sha256"] == subject.hex }, "accepted about another digest")
    }
    return 0
}
