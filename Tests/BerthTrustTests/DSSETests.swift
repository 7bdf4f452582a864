import BerthCore
import BerthOCI
import Foundation
import Testing

@testable import BerthTrust

@Suite("DSSE pre-authentication encoding and envelopes")
struct DSSETests {
    @Test(
        "PAE is DSSEv1, then byte lengths and fields separated by spaces",
        arguments: [
            ("http://example.com/HelloWorld", "hello world", "DSSEv1 29 http://example.com/HelloWorld 11 hello world"),
            ("", "", "DSSEv1 0  0 "),
            ("application/vnd.in-toto+json", "{}", "DSSEv1 28 application/vnd.in-toto+json 2 {}"),
            // Lengths count UTF-8 bytes, not characters.
            ("t", "é", "DSSEv1 1 t 2 é"),
        ])
    func preAuthenticationEncoding(type: String, payload: String, expected: String) {
        #expect(
            DSSEEnvelope.preAuthenticationEncoding(payloadType: type, payload: Data(payload.utf8))
                == Data(expected.utf8))
    }

    @Test("the envelope's JSON has base64 payload and sig, the payload type and an empty keyid, as cosign writes")
    func envelopeJSON() throws {
        let envelope = DSSEEnvelope(
            payload: Data("{}".utf8), payloadType: "application/vnd.in-toto+json",
            signatures: [.init(sig: Data([1, 2, 3]), keyid: "")])
        #expect(
            String(decoding: try CanonicalJSON.encode(envelope), as: UTF8.self)
                == #"{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"","sig":"AQID"}]}"#)
    }

    @Test("the statement is in-toto v1 with the digest as subject and cosign's signature predicate")
    func statement() throws {
        let digest = Digest.sha256(of: Data("image".utf8))
        let signer = KeySigner(key: SigningKey(generating: .ecdsaP256))
        #expect(
            String(decoding: try signer.statement(for: digest), as: UTF8.self)
                == #"{"_type":"https://in-toto.io/Statement/v1","predicate":{},"predicateType":"https://sigstore.dev/cosign/sign/v1","subject":[{"digest":{"sha256":""#
                + digest.hex + #""}}]}"#)
    }

    @Test("the bundle is v0.3 with the key's hint and a DSSE envelope, no transparency log entries")
    func bundleShape() throws {
        let key = SigningKey(generating: .ed25519)
        let signer = KeySigner(key: key)
        let bundle = try signer.signatureBundle(for: .sha256(of: Data("x".utf8)))
        let object = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: Any])
        #expect(object["mediaType"] as? String == "application/vnd.dev.sigstore.bundle.v0.3+json")
        let material = try #require(object["verificationMaterial"] as? [String: Any])
        #expect((material["publicKey"] as? [String: Any])?["hint"] as? String == key.publicKey.keyID)
        #expect(material["tlogEntries"] == nil)
        let envelope = try #require(object["dsseEnvelope"] as? [String: Any])
        #expect(envelope["payloadType"] as? String == "application/vnd.in-toto+json")
        #expect(Set(object.keys) == ["mediaType", "verificationMaterial", "dsseEnvelope"])
        // The key id is base64(SHA-256(SPKI)), as cosign computes the hint.
        #expect(Data(base64Encoded: key.publicKey.keyID)?.count == 32)
    }

    @Test("the legacy payload is cosign's simple-signing JSON with optional null")
    func simpleSigningPayload() throws {
        let digest = Digest.sha256(of: Data("y".utf8))
        let signature = try KeySigner(key: SigningKey(generating: .ecdsaP256)).simpleSignature(
            for: digest, dockerReference: "registry.example/acme/api")
        #expect(
            String(decoding: signature.payload, as: UTF8.self)
                == #"{"critical":{"identity":{"docker-reference":"registry.example/acme/api"},"image":{"docker-manifest-digest":""#
                + digest.description + #""},"type":"cosign container image signature"},"optional":null}"#)
    }
}
