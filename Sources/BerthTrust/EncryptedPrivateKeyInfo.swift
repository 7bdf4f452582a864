import BerthCore
import Crypto
import Foundation
import _CryptoExtras

/// PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018 §6.2, appendix A.4): PBKDF2 with HMAC-SHA1,
/// -SHA256 or -SHA512, then AES-128-CBC or AES-256-CBC.
enum EncryptedPrivateKeyInfo {
    /// Rounds berth writes: OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    static let rounds = 600_000
    /// More rounds than this are refused when reading, before any key is derived, so a hostile file
    /// can't stall berth (10,000,000 took 8 s here). openssl writes 2,048 rounds by default and berth
    /// 600,000; 2,000,000 leaves room for a careful user's own choice at about 2 s.
    static let maximumRounds = 2_000_000

    static func encrypt(_ pkcs8: [UInt8], passphrase: String, rounds: Int = rounds) throws -> [UInt8] {
        let salt = Array(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) })
        let iv = Array(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) })
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(passphrase.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
        let ciphertext = try AES._CBC.encrypt(pkcs8, using: key, iv: AES._CBC.IV(ivBytes: iv))
        let kdf = DER.sequence([
            DER.encode(DER.objectIdentifier, OID.pbkdf2),
            DER.sequence([
                DER.encode(DER.octetString, salt), DER.unsignedInteger(rounds),
                DER.sequence([DER.encode(DER.objectIdentifier, OID.hmacWithSHA256), DER.encode(DER.null, [])]),
            ]),
        ])
        let scheme = DER.sequence([DER.encode(DER.objectIdentifier, OID.aes256CBC), DER.encode(DER.octetString, iv)])
        return DER.sequence([
            DER.sequence([DER.encode(DER.objectIdentifier, OID.pbes2), DER.sequence([kdf, scheme])]),
            DER.encode(DER.octetString, Array(ciphertext)),
        ])
    }

    static func decrypt(_ der: [UInt8], passphrase: String, source: String) throws -> [UInt8] {
        let unsupported =
            "'\(source)' is encrypted with a scheme berth doesn't read (it reads PBES2 with PBKDF2 and AES-CBC); "
            + "re-encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out NEW"
        let salt: [UInt8]
        let rounds: Int
        let hash: KDF.Insecure.PBKDF2.HashFunction
        let keyLength: Int
        let iv: [UInt8]
        let ciphertext: [UInt8]
        do {
            let top = try DER.parse(der).children()
            guard top.count == 2, top[1].tag == DER.octetString else { throw DERError("not an EncryptedPrivateKeyInfo") }
            ciphertext = top[1].content
            let algorithm = try top[0].children()
            guard algorithm.count == 2, algorithm[0].content == OID.pbes2 else { throw BerthError(.badInput, unsupported) }
            let parameters = try algorithm[1].children()
            guard parameters.count == 2 else { throw DERError("bad PBES2 parameters") }
            let kdf = try parameters[0].children()
            guard kdf.count == 2, kdf[0].content == OID.pbkdf2 else { throw BerthError(.badInput, unsupported) }
            let kdfParameters = try kdf[1].children()
            guard kdfParameters.count >= 2, kdfParameters[0].tag == DER.octetString else {
                throw DERError("bad PBKDF2 parameters")
            }
            salt = kdfParameters[0].content
            rounds = try kdfParameters[1].unsignedInteger()
            var prf = OID.hmacWithSHA1
            var declaredLength: Int?
            for extra in kdfParameters.dropFirst(2) {
                if extra.tag == DER.integer {
                    declaredLength = try extra.unsignedInteger()
                } else if extra.tag == DER.sequence, let oid = try extra.children().first {
                    prf = oid.content
                }
            }
            switch prf {
            case OID.hmacWithSHA1: hash = .insecureSHA1
            case OID.hmacWithSHA256: hash = .sha256
            case OID.hmacWithSHA512: hash = .sha512
            default: throw BerthError(.badInput, unsupported)
            }
            let scheme = try parameters[1].children()
            guard scheme.count == 2, scheme[1].tag == DER.octetString, scheme[1].content.count == 16 else {
                throw DERError("bad encryption scheme parameters")
            }
            switch scheme[0].content {
            case OID.aes256CBC: keyLength = 32
            case OID.aes128CBC: keyLength = 16
            default: throw BerthError(.badInput, unsupported)
            }
            if let declaredLength, declaredLength != keyLength { throw DERError("PBKDF2 key length doesn't match the cipher") }
            iv = scheme[1].content
        } catch let error as DERError {
            throw BerthError(.badInput, "'\(source)' is not a valid encrypted private key: \(error.description)")
        }
        guard rounds >= 1, rounds <= maximumRounds else {
            throw BerthError(.badInput, "'\(source)' asks for \(rounds) PBKDF2 rounds; berth reads 1 to \(maximumRounds)")
        }
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(passphrase.utf8), salt: salt, using: hash, outputByteCount: keyLength, unsafeUncheckedRounds: rounds)
        guard let plain = try? AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv)),
            (try? DER.parse(Array(plain))) != nil
        else {
            throw BerthError(
                .usage,
                "'\(source)' can't be decrypted with the passphrase in \(SigningKey.passphraseVariable); set the right one")
        }
        return Array(plain)
    }
}
