import BerthCore
import BerthOCI
import Foundation
import Testing

@testable import BerthTrust

/// The key-based bundle cases of sigstore-conformance (Fixtures/sigstore-conformance/README.md: source,
/// commits, licence), verified by the `KeyVerifier` that `berth verify` uses: each happy case accepted,
/// each `_fail` twin refused with its reason. berth checks no transparency log: a bundle's `tlogEntries`
/// are read and not checked (the signature by the key decides), and the cases' `trusted_root.json`, which
/// only holds log and authority keys, is not used.
@Suite("sigstore-conformance: berth's bundle verifier on the key-based cases")
struct SigstoreConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigstore-conformance")

    /// What the bundle holds decides the path `berth verify` takes: a DSSE attestation (any predicate)
    /// or a signature over the artifact's digest.
    enum Content: Sendable { case attestation, messageSignature }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let content: Content
        /// nil: the case must verify; else a fragment of the reason berth gives for refusing it.
        let refusal: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "managed-key-happy-path", content: .messageSignature, refusal: nil),
        Case(name: "managed-key-and-trusted-root", content: .messageSignature, refusal: nil),
        Case(
            name: "managed-key-wrong-key_fail", content: .messageSignature,
            refusal: "is not a valid public key: its point is not on P-256"),
        Case(name: "managed-key-no-key_fail", content: .messageSignature, refusal: "signed by another key"),
        Case(name: "intoto-canonical-log-entry", content: .attestation, refusal: nil),
        Case(name: "dsse-statement-missing-type_fail", content: .attestation, refusal: "not an in-toto statement"),
        Case(
            name: "dsse-statement-unknown-type_fail", content: .attestation,
            refusal: "statement type 'https://in-toto.io/Statement/v2' is not in-toto v1"),
    ]

    /// The artifact every case signs (the suite's `a.txt`; none of these cases brings its own).
    static func artifact() throws -> Digest {
        Digest.sha256(of: try Data(contentsOf: directory.appendingPathComponent("a.txt")))
    }

    /// The case's key; with none (`managed-key-no-key_fail`), a key of berth's own: `berth verify` can't
    /// run without `--key`, and any key but the signer's must refuse.
    static func key(_ name: String) throws -> VerificationKey {
        let url = directory.appendingPathComponent("\(name)/key.pub")
        guard FileManager.default.fileExists(atPath: url.path) else { return SigningKey(generating: .ecdsaP256).publicKey }
        return try VerificationKey(pem: String(decoding: try Data(contentsOf: url), as: UTF8.self), source: "\(name)/key.pub")
    }

    static func verdict(_ testCase: Case) throws -> SignatureVerdict {
        let verifier = KeyVerifier(key: try key(testCase.name))
        let bundle = try Data(contentsOf: directory.appendingPathComponent("\(testCase.name)/bundle.sigstore.json"))
        return switch testCase.content {
        case .attestation: verifier.checkAttestation(bundle, subject: try artifact()).verdict
        case .messageSignature: verifier.checkBundle(bundle, subject: try artifact())
        }
    }

    @Test("each happy case verifies and each _fail twin is refused with its reason", arguments: cases)
    func conformance(testCase: Case) throws {
        #expect(testCase.name.hasSuffix("_fail") == (testCase.refusal != nil))
        let verdict: SignatureVerdict
        do {
            verdict = try Self.verdict(testCase)
        } catch let error as BerthError {
            verdict = SignatureVerdict(accepted: false, reason: error.message)
        }
        if let refusal = testCase.refusal {
            #expect(!verdict.accepted)
            #expect(verdict.reason.contains(refusal), "\(verdict.reason)")
        } else {
            #expect(verdict.accepted, "\(verdict.reason)")
        }
    }

    @Test("every committed case is in the table, and every case carries tlog entries berth doesn't check")
    func tableCoversFixtures() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0 != "a.txt" && $0 != "README.md" }
        #expect(Set(names) == Set(Self.cases.map(\.name)))
        for name in names {
            let bundle = try JSONDecoder().decode(
                SigstoreBundle.self,
                from: try Data(contentsOf: Self.directory.appendingPathComponent("\(name)/bundle.sigstore.json")))
            #expect(bundle.verificationMaterial.tlogEntries?.isEmpty == false, "\(name)")
        }
    }

    @Test("the happy cases fail after one flipped byte of the artifact, the signature or the statement")
    func tamperedHappyCases() throws {
        let subject = try Self.artifact()
        let otherSubject = try #require(Digest("sha256:" + (subject.hex.hasPrefix("0") ? "1" : "0") + subject.hex.dropFirst()))
        for name in ["managed-key-happy-path", "managed-key-and-trusted-root"] {
            let verifier = KeyVerifier(key: try Self.key(name))
            let bytes = try Data(contentsOf: Self.directory.appendingPathComponent("\(name)/bundle.sigstore.json"))
            let wrongSubject = verifier.checkBundle(bytes, subject: otherSubject)
            #expect(!wrongSubject.accepted && wrongSubject.reason.contains("signs another digest"), "\(wrongSubject.reason)")
            var bundle = try JSONDecoder().decode(SigstoreBundle.self, from: bytes)
            var signature = try #require(Data(base64Encoded: bundle.messageSignature?.signature ?? ""))
            signature[signature.count - 1] ^= 0x01
            bundle.messageSignature?.signature = signature.base64EncodedString()
            let flipped = verifier.checkBundle(try JSONEncoder().encode(bundle), subject: subject)
            #expect(!flipped.accepted && flipped.reason.contains("doesn't verify"), "\(flipped.reason)")
        }
        let name = "intoto-canonical-log-entry"
        let verifier = KeyVerifier(key: try Self.key(name))
        var bundle = try JSONDecoder().decode(
            SigstoreBundle.self, from: try Data(contentsOf: Self.directory.appendingPathComponent("\(name)/bundle.sigstore.json"))
        )
        bundle.dsseEnvelope?.payload[40] ^= 0x01
        let flipped = verifier.checkAttestation(try JSONEncoder().encode(bundle), subject: subject).verdict
        #expect(!flipped.accepted && flipped.reason.contains("doesn't verify"), "\(flipped.reason)")
        let cosignPath = verifier.checkBundle(
            try Data(contentsOf: Self.directory.appendingPathComponent("\(name)/bundle.sigstore.json")), subject: subject)
        #expect(!cosignPath.accepted && cosignPath.reason.contains("is not a signature"), "\(cosignPath.reason)")
    }
}
