import BerthCore
import BerthTrust
import Foundation

/// The DER reader under the key formats, fed raw DER: the first byte picks the PEM label the bytes are
/// wrapped in (`PUBLIC KEY`, `PRIVATE KEY`, `EC PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), the rest is the
/// DER, base64-encoded into a well-formed block so every input reaches the DER reader (PKIX, PKCS#8,
/// SEC1, PBES2 parameters). A key that reads writes PEM that reads back as the same key.
let labels = ["PUBLIC KEY", "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let all = UnsafeBufferPointer(start: data, count: size)
    let label = labels[Int(all[0]) % labels.count]
    let der = Data(UnsafeBufferPointer(rebasing: all[1...]))
    let text = "-----BEGIN \(label)-----\n\(der.base64EncodedString(options: .lineLength64Characters))\n-----END \(label)-----\n"
    if label == "PUBLIC KEY" {
        guard let key = try? VerificationKey(pem: text, source: "fuzz.pub") else { return 0 }
        guard let again = try? VerificationKey(pem: key.pem, source: "written.pub") else {
            preconditionFailure("a public key that read doesn't write PEM that reads back")
        }
        precondition(again.keyID == key.keyID, "the public key changed on a round trip")
    } else {
        guard let key = try? SigningKey(pem: text, passphrase: "fuzz pass", source: "fuzz.key") else { return 0 }
        guard let written = try? key.pem(passphrase: nil),
            let again = try? SigningKey(pem: written, passphrase: nil, source: "written.key")
        else { preconditionFailure("a private key that read doesn't write PEM that reads back") }
        precondition(again.publicKey.keyID == key.publicKey.keyID, "the private key changed on a round trip")
    }
    return 0
}
