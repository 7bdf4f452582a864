import BerthCore
import BerthTrust
import Foundation

/// Key files as text (`PEMBlock`, then the key readers): PKCS#8, SEC1, PBES2-encrypted PKCS#8 (decrypted
/// with the passphrase the seeds were encrypted with, so the decryption path runs), PKIX public keys and
/// the labels berth refuses. A key that reads writes PEM that reads back as the same key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let key = try? SigningKey(pem: text, passphrase: "fuzz pass", source: "fuzz.key") {
        guard let written = try? key.pem(passphrase: nil),
            let again = try? SigningKey(pem: written, passphrase: nil, source: "written.key")
        else { preconditionFailure("a private key that read doesn't write PEM that reads back") }
        precondition(again.publicKey.keyID == key.publicKey.keyID, "the private key changed on a round trip")
    }
    if let key = try? VerificationKey(pem: text, source: "fuzz.pub") {
        guard let again = try? VerificationKey(pem: key.pem, source: "written.pub") else {
            preconditionFailure("a public key that read doesn't write PEM that reads back")
        }
        precondition(again.keyID == key.keyID, "the public key changed on a round trip")
    }
    return 0
}
