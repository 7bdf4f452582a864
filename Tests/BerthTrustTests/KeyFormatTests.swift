import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTrust

@Suite("key files: PEM, PKCS#8, SEC1, PBES2, PKIX")
struct KeyFormatTests {
    @Test(
        "a generated key survives PEM, plain and encrypted, and signs what its public key verifies",
        arguments: KeyAlgorithm.allCases)
    func roundTrip(algorithm: KeyAlgorithm) throws {
        let key = SigningKey(generating: algorithm)
        let message = Data("message".utf8)
        for passphrase in [nil, "correct horse"] as [String?] {
            let pem = try key.pem(passphrase: passphrase)
            #expect(
                pem.hasPrefix(passphrase == nil ? "-----BEGIN PRIVATE KEY-----\n" : "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
            let read = try SigningKey(pem: pem, passphrase: passphrase, source: "k")
            #expect(read.publicKey.keyID == key.publicKey.keyID)
            #expect(key.publicKey.isValid(signature: try read.signature(for: message), for: message))
        }
        let readBack = try VerificationKey(pem: key.publicKey.pem, source: "p")
        #expect(readBack.keyID == key.publicKey.keyID && readBack.algorithm == algorithm)
        #expect(!readBack.isValid(signature: try key.signature(for: message), for: Data("other".utf8)))
    }

    @Test("a wrong or missing passphrase is a usage error naming the variable, never the passphrase")
    func wrongPassphrase() throws {
        let pem = try SigningKey(generating: .ecdsaP256).pem(passphrase: "s3cret-one")
        let wrong = #expect(throws: BerthError.self) { try SigningKey(pem: pem, passphrase: "s3cret-two", source: "k.key") }
        #expect(wrong?.kind == .usage && wrong?.message.contains("BERTH_KEY_PASSPHRASE") == true)
        #expect(wrong?.message.contains("s3cret") == false)
        let missing = #expect(throws: BerthError.self) { try SigningKey(pem: pem, passphrase: nil, source: "k.key") }
        #expect(missing?.message.contains("is encrypted") == true)
    }

    @Test(
        "files berth can't use are refused in one line that says what to do",
        arguments: [
            (
                "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
                "cosign's encrypted key format"
            ),
            (
                "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n",
                "berth key generate"
            ),
            ("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n", "RSA"),
            (
                "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAA=\n-----END EC PRIVATE KEY-----\n",
                "openssl pkcs8 -topk8"
            ),
            ("-----BEGIN PRIVATE KEY-----\nMAA=\n", "no END line"),
            ("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "not valid base64"),
            ("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", "not a valid private key"),
            ("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", "not a private key"),
            ("just text", "not a PEM file"),
        ])
    func refusals(pem: String, says: String) {
        let error = #expect(throws: BerthError.self) { try SigningKey(pem: pem, passphrase: "p", source: "bad.key") }
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("'bad.key'") == true)
        #expect(error?.message.contains("\n") == false)
    }

    @Test("a private key is no public key, and a public key must be P-256 or Ed25519")
    func publicKeyRefusals() throws {
        let key = SigningKey(generating: .ecdsaP256)
        let error = #expect(throws: BerthError.self) { try VerificationKey(pem: try key.pem(passphrase: nil), source: "k") }
        #expect(error?.message.contains("not a PUBLIC KEY") == true)
    }

    /// An EncryptedPrivateKeyInfo asking for `rounds` of PBKDF2-HMAC-SHA256 over random bytes: the
    /// rounds are judged before any key is derived, so the ciphertext needn't decrypt.
    static func encryptedKey(rounds: Int) -> String {
        let kdf = DER.sequence([
            DER.encode(DER.objectIdentifier, OID.pbkdf2),
            DER.sequence([
                DER.encode(DER.octetString, Array(repeating: 7, count: 16)), DER.unsignedInteger(rounds),
                DER.sequence([DER.encode(DER.objectIdentifier, OID.hmacWithSHA256), DER.encode(DER.null, [])]),
            ]),
        ])
        let scheme = DER.sequence([
            DER.encode(DER.objectIdentifier, OID.aes256CBC), DER.encode(DER.octetString, Array(repeating: 1, count: 16)),
        ])
        let der = DER.sequence([
            DER.sequence([DER.encode(DER.objectIdentifier, OID.pbes2), DER.sequence([kdf, scheme])]),
            DER.encode(DER.octetString, Array(repeating: 9, count: 64)),
        ])
        return PEMBlock(label: "ENCRYPTED PRIVATE KEY", der: der).text
    }

    @Test(
        "a key asking for more than 2,000,000 PBKDF2 rounds is refused in one line before any key is derived",
        arguments: [2_000_001, 10_000_000, Int(UInt32.max)])
    func pbkdf2RoundsCapped(rounds: Int) throws {
        let error = #expect(throws: BerthError.self) {
            try SigningKey(pem: Self.encryptedKey(rounds: rounds), passphrase: "any", source: "hostile.key")
        }
        #expect(error?.kind == .badInput)
        #expect(error?.message == "'hostile.key' asks for \(rounds) PBKDF2 rounds; berth reads 1 to 2000000")
        #expect(error?.message.contains("\n") == false)
    }

    @Test("a key within the PBKDF2 cap is read: its rounds pass and only the passphrase decides")
    func pbkdf2RoundsWithinCap() throws {
        let wrong = #expect(throws: BerthError.self) {
            try SigningKey(pem: Self.encryptedKey(rounds: 1_000), passphrase: "any", source: "k.key")
        }
        #expect(wrong?.kind == .usage && wrong?.message.contains("can't be decrypted") == true)
    }

    @Test("DER lengths are bounded and minimal; trailing bytes and truncation are refused")
    func derRefusals() {
        #expect(throws: DERError.self) { try DER.parse([0x30, 0x03, 0x02, 0x01]) }
        #expect(throws: DERError.self) { try DER.parse([0x30, 0x00, 0x00]) }
        #expect(throws: DERError.self) { try DER.parse([0x30, 0x81, 0x01, 0x00]) }
        #expect(throws: DERError.self) { try DER.parse([0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00]) }
        #expect((try? DER.parse(DER.sequence([DER.unsignedInteger(600_000)])).children().first?.unsignedInteger()) == 600_000)
        #expect(DER.unsignedInteger(128) == [0x02, 0x02, 0x00, 0x80])
        let long = [UInt8](repeating: 7, count: 300)
        #expect((try? DER.parse(DER.encode(DER.octetString, long)))?.content == long)
    }
}

@Suite("keys made by OpenSSL", .requires(.openssl))
struct OpenSSLKeyTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trust-openssl-\(UUID().uuidString)").path

    func openssl(_ arguments: [String], environment: [String: String] = [:]) throws {
        try Shell.run("/usr/bin/openssl", arguments, directory: directory, environment: environment).check()
    }

    func text(_ name: String) throws -> String { try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8) }

    @Test("PKCS#8, SEC1 and PBES2-encrypted PKCS#8 from openssl are read; their public keys match openssl's")
    func readsOpenSSLKeys() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem"])
        try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "p8.pem"])
        try openssl(
            ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "sec1.pem", "-out", "enc.pem", "-passout", "env:PASS"],
            environment: ["PASS": "openssl pass"])
        try openssl(
            [
                "pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-in", "sec1.pem", "-out", "enc128.pem",
                "-passout", "env:PASS",
            ],
            environment: ["PASS": "openssl pass"])
        try openssl(["ec", "-in", "sec1.pem", "-pubout", "-out", "pub.pem"])
        try openssl(["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"])
        try openssl(["pkey", "-in", "ed.pem", "-pubout", "-out", "edpub.pem"])
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem"])
        let expectedPEM = try text("pub.pem")
        let expected = try VerificationKey(pem: expectedPEM, source: "pub.pem").keyID
        for file in ["sec1.pem", "p8.pem", "enc.pem", "enc128.pem"] {
            let key = try SigningKey(pem: text(file), passphrase: "openssl pass", source: file)
            #expect(key.publicKey.keyID == expected, "\(file)")
            #expect(key.publicKey.pem == expectedPEM, "\(file)")
        }
        let ed = try SigningKey(pem: text("ed.pem"), passphrase: nil, source: "ed.pem")
        let edPublic = try text("edpub.pem")
        #expect(ed.algorithm == .ed25519 && ed.publicKey.pem == edPublic)
        #expect(try SigningKey(pem: ed.pem(passphrase: nil), passphrase: nil, source: "x").publicKey.keyID == ed.publicKey.keyID)
        let p384 = #expect(throws: BerthError.self) { try SigningKey(pem: text("p384.pem"), passphrase: nil, source: "p384.pem") }
        #expect(p384?.message.contains("other than P-256") == true)
    }

    @Test("openssl reads berth's encrypted PKCS#8 with the passphrase and derives the same public key")
    func opensslReadsBerthKeys() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for algorithm in KeyAlgorithm.allCases {
            let key = SigningKey(generating: algorithm)
            try key.pem(passphrase: "berth pass").write(toFile: "\(directory)/k.pem", atomically: true, encoding: .utf8)
            try openssl(
                ["pkey", "-in", "k.pem", "-passin", "env:PASS", "-pubout", "-out", "k.pub"], environment: ["PASS": "berth pass"])
            let derived = try text("k.pub")
            #expect(derived == key.publicKey.pem)
            #expect(throws: ShellError.self) {
                try openssl(["pkey", "-in", "k.pem", "-passin", "env:PASS", "-noout"], environment: ["PASS": "wrong"])
            }
        }
    }
}
