import BerthCore
import Crypto
import Foundation

/// A public key that checks signatures: ECDSA P-256 or Ed25519, read from and written as PKIX PEM
/// (`-----BEGIN PUBLIC KEY-----`, RFC 5280 SubjectPublicKeyInfo).
public struct VerificationKey: Sendable {
    // Raw key bytes: swift-crypto's key types aren't Sendable on Linux; rebuilding one is cheap.
    enum Storage: Sendable {
        case p256(Data)
        case ed25519(Data)
    }
    let storage: Storage

    init(_ storage: Storage) { self.storage = storage }

    /// Reads a PKIX public key PEM; `source` names the input in errors.
    public init(pem text: String, source: String) throws {
        let block = try PEMBlock(parsing: text, source: source)
        guard block.label == "PUBLIC KEY" else {
            throw BerthError(
                .badInput,
                "'\(source)' holds a '\(block.label)', not a PUBLIC KEY; give the public key (berth key generate writes KEY.pub)")
        }
        try self.init(spki: block.der, source: source)
    }

    init(spki der: [UInt8], source: String) throws {
        do {
            let parts = try DER.parse(der).children()
            guard parts.count == 2, let algorithm = try parts[0].children().first, algorithm.tag == DER.objectIdentifier else {
                throw DERError("not a SubjectPublicKeyInfo")
            }
            switch algorithm.content {
            case OID.ecPublicKey:
                guard try parts[0].children().dropFirst().first?.content == OID.prime256v1 else {
                    throw BerthError(
                        .badInput, "'\(source)' is an EC key on a curve other than P-256; berth signs with P-256 or Ed25519")
                }
                guard let key = try? P256.Signing.PublicKey(derRepresentation: der) else {
                    throw DERError("its point is not on P-256")
                }
                storage = .p256(key.rawRepresentation)
            case OID.ed25519:
                guard parts[1].tag == DER.bitString, parts[1].content.count == 33, parts[1].content[0] == 0 else {
                    throw DERError("bad Ed25519 public key")
                }
                storage = .ed25519(
                    try Curve25519.Signing.PublicKey(rawRepresentation: parts[1].content.dropFirst()).rawRepresentation)
            case OID.rsaEncryption:
                throw BerthError(.badInput, "'\(source)' is an RSA key; berth verifies ECDSA P-256 and Ed25519 keys only")
            default:
                throw BerthError(
                    .badInput, "'\(source)' is a public key of an algorithm berth doesn't know; use ECDSA P-256 or Ed25519")
            }
        } catch let error as DERError {
            throw BerthError(.badInput, "'\(source)' is not a valid public key: \(error.description)")
        }
    }

    public var algorithm: KeyAlgorithm {
        switch storage {
        case .p256: .ecdsaP256
        case .ed25519: .ed25519
        }
    }

    /// SubjectPublicKeyInfo DER.
    public var spki: Data {
        switch storage {
        case .p256(let raw): (try! P256.Signing.PublicKey(rawRepresentation: raw)).derRepresentation
        case .ed25519(let raw):
            Data(
                DER.sequence([
                    DER.sequence([DER.encode(DER.objectIdentifier, OID.ed25519)]), DER.encode(DER.bitString, [0] + raw),
                ]))
        }
    }

    public var pem: String { PEMBlock(label: "PUBLIC KEY", der: Array(spki)).text }

    /// base64(SHA-256(SPKI)): the key id cosign writes as a bundle's public-key hint.
    public var keyID: String { Data(SHA256.hash(data: spki)).base64EncodedString() }

    /// Whether `signature` (DER for ECDSA, raw for Ed25519) signs `message`.
    /// Whether `signature` (ASN.1 DER) is this ECDSA P-256 key's over a message whose SHA-256 is `digest`:
    /// a signature over an artifact checked from its digest alone. Ed25519 signs the message itself, so
    /// no digest can stand in for it: false.
    public func isValid(signature: Data, forSHA256 digest: Data) -> Bool {
        guard case .p256(let raw) = storage, digest.count == SHA256Bytes.byteCount,
            let key = try? P256.Signing.PublicKey(rawRepresentation: raw),
            let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature)
        else { return false }
        return key.isValidSignature(parsed, for: SHA256Bytes(bytes: Array(digest)))
    }

    public func isValid(signature: Data, for message: Data) -> Bool {
        switch storage {
        case .p256(let raw):
            guard let key = try? P256.Signing.PublicKey(rawRepresentation: raw),
                let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(parsed, for: message)
        case .ed25519(let raw):
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: message)
        }
    }
}

/// A SHA-256 known only by its bytes, for swift-crypto's verification of a prehashed message (its own
/// `SHA256Digest` can't be made from bytes).
struct SHA256Bytes: Crypto.Digest {
    static let byteCount = 32
    let bytes: [UInt8]

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try bytes.withUnsafeBytes(body) }
    var description: String { "SHA256 digest: " + bytes.lowercaseHex }
    func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}

extension Sequence<UInt8> {
    /// The bytes in lowercase hex, as digests and securesystemslib's signatures are written.
    var lowercaseHex: String { map { String(format: "%02x", $0) }.joined() }
}
