import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTrust

/// berth's signatures checked by verifiers it didn't write: securesystemslib (DSSE, P-256 and Ed25519),
/// in-toto-attestation's protobuf schema (the statement, strictly), OpenSSL (the raw signatures). Each
/// must also refuse after one flipped byte and with another key, so a test can't pass on a verifier
/// that says yes to anything.
@Suite("third-party verifiers accept berth's signatures and refuse tampered ones")
struct ThirdPartyVerificationTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trust-3p-\(UUID().uuidString)").path
    let digest = Digest.sha256(of: Data("an image manifest".utf8))

    /// Verifies `envelope.json` with `key.pub` through securesystemslib, then parses its statement
    /// strictly with in-toto-attestation's protobuf schema (unknown fields refused) and validates the subjects.
    static let dsseScript = """
        import json, sys
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        from securesystemslib.signer import SSlibKey
        from securesystemslib.dsse import Envelope
        from google.protobuf import json_format
        from in_toto_attestation.v1 import statement_pb2
        from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
        envelope = Envelope.from_dict(json.load(open(sys.argv[1])))
        public = load_pem_public_key(open(sys.argv[2], "rb").read())
        # securesystemslib matches signatures to keys by keyid; cosign's (and berth's) is empty, which
        # from_crypto would replace with a computed one, so the key is rebuilt with the envelope's.
        key = SSlibKey.from_crypto(public)
        keyid = next(iter(envelope.signatures))
        envelope.verify([SSlibKey(keyid, key.keytype, key.scheme, key.keyval)], 1)
        statement = json_format.Parse(envelope.payload, statement_pb2.Statement())
        assert statement.type == "https://in-toto.io/Statement/v1", statement.type
        assert statement.predicate_type == "https://sigstore.dev/cosign/sign/v1"
        for subject in statement.subject:
            ResourceDescriptor.copy_from_pb(subject).validate()
        print("verified", statement.subject[0].digest["sha256"])
        """

    func write(_ data: Data, _ name: String) throws { try data.write(to: URL(fileURLWithPath: "\(directory)/\(name)")) }

    func securesystemslib(_ envelope: Data, key: VerificationKey) throws -> ShellResult {
        try write(envelope, "envelope.json")
        try write(Data(key.pem.utf8), "key.pub")
        return try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/python", ["-c", Self.dsseScript, "envelope.json", "key.pub"],
            directory: directory)
    }

    @Test(
        "securesystemslib verifies berth's DSSE envelope; a flipped byte or another key fails it", .requires(.trustVenv),
        arguments: KeyAlgorithm.allCases)
    func securesystemslibVerifies(algorithm: KeyAlgorithm) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = SigningKey(generating: algorithm)
        let envelope = try KeySigner(key: key).envelope(for: digest)
        let encoded = try CanonicalJSON.encode(envelope)
        let good = try securesystemslib(encoded, key: key.publicKey)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout == "verified \(digest.hex)\n")

        var flippedPayload = envelope
        flippedPayload.payload[flippedPayload.payload.count / 2] ^= 0x01
        let tampered = try securesystemslib(try CanonicalJSON.encode(flippedPayload), key: key.publicKey)
        #expect(tampered.status != 0 && tampered.stderr.contains("VerificationError"), "\(tampered.stderr)")

        var flippedSignature = envelope
        flippedSignature.signatures[0].sig[flippedSignature.signatures[0].sig.count - 1] ^= 0x01
        #expect(try securesystemslib(try CanonicalJSON.encode(flippedSignature), key: key.publicKey).status != 0)

        let other = try securesystemslib(encoded, key: SigningKey(generating: algorithm).publicKey)
        #expect(other.status != 0 && other.stderr.contains("VerificationError"), "\(other.stderr)")
    }

    func opensslVerify(_ payload: Data, signature: Data, key: VerificationKey) throws -> ShellResult {
        try write(payload, "payload")
        try write(signature, "sig")
        try write(Data(key.pem.utf8), "key.pub")
        let arguments =
            key.algorithm == .ecdsaP256
            ? ["dgst", "-sha256", "-verify", "key.pub", "-signature", "sig", "payload"]
            : ["pkeyutl", "-verify", "-pubin", "-inkey", "key.pub", "-rawin", "-in", "payload", "-sigfile", "sig"]
        return try Shell.run("/usr/bin/openssl", arguments, directory: directory)
    }

    @Test(
        "openssl verifies the legacy signature and the DSSE signature over the PAE; a flipped byte or another key fails",
        .requires(.openssl), arguments: KeyAlgorithm.allCases)
    func opensslVerifies(algorithm: KeyAlgorithm) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = SigningKey(generating: algorithm)
        let signer = KeySigner(key: key)
        let legacy = try signer.simpleSignature(for: digest, dockerReference: "registry.example/acme/api")
        let signature = try #require(Data(base64Encoded: legacy.signature))
        #expect(try opensslVerify(legacy.payload, signature: signature, key: key.publicKey).status == 0)
        var flipped = legacy.payload
        flipped[10] ^= 0x20
        #expect(try opensslVerify(flipped, signature: signature, key: key.publicKey).status != 0)
        #expect(
            try opensslVerify(legacy.payload, signature: signature, key: SigningKey(generating: algorithm).publicKey).status != 0)

        let envelope = try signer.envelope(for: digest)
        #expect(
            try opensslVerify(envelope.preAuthenticationEncoding, signature: envelope.signatures[0].sig, key: key.publicKey)
                .status == 0)
        #expect(try opensslVerify(envelope.payload, signature: envelope.signatures[0].sig, key: key.publicKey).status != 0)
    }
}
