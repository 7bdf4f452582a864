import BerthCore
import Crypto
import Foundation

/// A private key that signs: ECDSA P-256 or Ed25519.
///
/// Read from PEM: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) and PBES2-encrypted PKCS#8
/// (`ENCRYPTED PRIVATE KEY`, PBKDF2 + AES-CBC, as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes).
/// cosign's own encrypted format (`ENCRYPTED SIGSTORE PRIVATE KEY`: scrypt + NaCl secretbox) needs
/// XSalsa20-Poly1305, which swift-crypto doesn't offer: refused with what to do. Written as PKCS#8,
/// encrypted with PBES2 (PBKDF2-HMAC-SHA256, 600,000 rounds, AES-256-CBC) unless asked not to.
public struct SigningKey: Sendable {
    // Raw key bytes: swift-crypto's key types aren't Sendable on Linux; rebuilding one is cheap.
    enum Storage: Sendable {
        case p256(Data)
        case ed25519(Data)
    }
    let storage: Storage

    init(_ storage: Storage) { self.storage = storage }

    private static func p256(_ key: P256.Signing.PrivateKey) -> Storage { .p256(key.rawRepresentation) }

    /// A new random key.
    public init(generating algorithm: KeyAlgorithm) {
        switch algorithm {
        case .ecdsaP256: storage = Self.p256(P256.Signing.PrivateKey())
        case .ed25519: storage = .ed25519(Curve25519.Signing.PrivateKey().rawRepresentation)
        }
    }

    /// Reads a private key PEM; `passphrase` decrypts an encrypted one. `source` names the file in errors
    /// (the passphrase never appears in one).
    public init(pem text: String, passphrase: String?, source: String) throws {
        let block = try PEMBlock(parsing: text, source: source)
        switch block.label {
        case "PRIVATE KEY":
            try self.init(pkcs8: block.der, source: source)
        case "EC PRIVATE KEY":
            do { self.init(Self.p256(try P256.Signing.PrivateKey(derRepresentation: block.der))) } catch {
                throw BerthError(.badInput, "'\(source)' is not a P-256 EC private key; berth signs with P-256 or Ed25519")
            }
        case "ENCRYPTED PRIVATE KEY":
            guard let passphrase, !passphrase.isEmpty else {
                throw BerthError(
                    .usage, "'\(source)' is encrypted; set \(SigningKey.passphraseVariable) to its passphrase")
            }
            let der = try EncryptedPrivateKeyInfo.decrypt(block.der, passphrase: passphrase, source: source)
            try self.init(pkcs8: der, source: source)
        case "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
            throw BerthError(
                .badInput,
                "'\(source)' is in cosign's encrypted key format (scrypt + NaCl secretbox), which berth can't decrypt "
                    + "(swift-crypto has no XSalsa20-Poly1305); create a key with berth key generate, or use a PKCS#8 PEM key")
        case "RSA PRIVATE KEY":
            throw BerthError(.badInput, "'\(source)' is an RSA key; berth signs with ECDSA P-256 or Ed25519 keys")
        default:
            throw BerthError(.badInput, "'\(source)' holds a '\(block.label)', not a private key; give a PKCS#8 PEM private key")
        }
    }

    init(pkcs8 der: [UInt8], source: String) throws {
        do {
            let parts = try DER.parse(der).children()
            guard parts.count >= 3, parts[0].tag == DER.integer, let algorithm = try parts[1].children().first,
                algorithm.tag == DER.objectIdentifier, parts[2].tag == DER.octetString
            else { throw DERError("not a PKCS#8 PrivateKeyInfo") }
            switch algorithm.content {
            case OID.ecPublicKey:
                do { storage = Self.p256(try P256.Signing.PrivateKey(derRepresentation: der)) } catch {
                    throw BerthError(
                        .badInput, "'\(source)' is an EC key on a curve other than P-256; berth signs with P-256 or Ed25519")
                }
            case OID.ed25519:
                let inner = try DER.parse(parts[2].content)
                guard inner.tag == DER.octetString, inner.content.count == 32 else { throw DERError("bad Ed25519 private key") }
                storage = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: inner.content).rawRepresentation)
            case OID.rsaEncryption:
                throw BerthError(.badInput, "'\(source)' is an RSA key; berth signs with ECDSA P-256 or Ed25519 keys")
            default:
                throw BerthError(
                    .badInput, "'\(source)' is a private key of an algorithm berth doesn't know; use ECDSA P-256 or Ed25519")
            }
        } catch let error as DERError {
            throw BerthError(.badInput, "'\(source)' is not a valid private key: \(error.description)")
        }
    }

    /// The environment variable berth reads a key's passphrase from (never a prompt, never an argument).
    public static let passphraseVariable = "BERTH_KEY_PASSPHRASE"

    public var algorithm: KeyAlgorithm { publicKey.algorithm }

    public var publicKey: VerificationKey {
        switch storage {
        case .p256(let raw):
            VerificationKey(.p256(try! P256.Signing.PrivateKey(rawRepresentation: raw).publicKey.rawRepresentation))
        case .ed25519(let raw):
            VerificationKey(.ed25519(try! Curve25519.Signing.PrivateKey(rawRepresentation: raw).publicKey.rawRepresentation))
        }
    }

    /// PKCS#8 PrivateKeyInfo DER (RFC 5208; RFC 8410 for Ed25519).
    var pkcs8: [UInt8] {
        switch storage {
        case .p256(let raw): Array((try! P256.Signing.PrivateKey(rawRepresentation: raw)).derRepresentation)
        case .ed25519(let raw):
            DER.sequence([
                DER.unsignedInteger(0), DER.sequence([DER.encode(DER.objectIdentifier, OID.ed25519)]),
                DER.encode(DER.octetString, DER.encode(DER.octetString, Array(raw))),
            ])
        }
    }

    /// The key as PEM: PBES2-encrypted PKCS#8 with `passphrase`, or plain PKCS#8 when it is nil.
    public func pem(passphrase: String?) throws -> String {
        guard let passphrase else { return PEMBlock(label: "PRIVATE KEY", der: pkcs8).text }
        let encrypted = try EncryptedPrivateKeyInfo.encrypt(pkcs8, passphrase: passphrase)
        return PEMBlock(label: "ENCRYPTED PRIVATE KEY", der: encrypted).text
    }

    /// Signs `message`: ECDSA with SHA-256, DER-encoded; Ed25519 raw.
    public func signature(for message: Data) throws -> Data {
        switch storage {
        case .p256(let raw): try P256.Signing.PrivateKey(rawRepresentation: raw).signature(for: message).derRepresentation
        case .ed25519(let raw): try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: message)
        }
    }
}
