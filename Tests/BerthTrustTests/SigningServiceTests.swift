import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTrust

@Suite("SigningService and VerificationService over an in-memory store")
struct SigningServiceTests {
    let store = InMemoryImageStore()
    let key = SigningKey(generating: .ecdsaP256)

    func sign(_ digest: Digest, legacy: Bool = true, signer: SigningKey? = nil) async throws -> [SigningService.Signed] {
        try await SigningService(store: store, signer: KeySigner(key: signer ?? key), legacyTags: legacy).sign(
            "acme/api", digest: digest, dockerReference: "registry.example/acme/api", created: "2026-12-01T21:00:00Z")
    }

    func verify(_ digest: Digest, with key: SigningKey? = nil) async throws -> VerificationService.Report {
        try await VerificationService(store: store, verifier: KeyVerifier(key: (key ?? self.key).publicKey)).verify(
            "acme/api", digest: digest, reference: "acme/api@\(digest)")
    }

    @Test("an index and both its platform manifests are signed, found through the fallback index and legacy tags, and verified")
    func signsIndexAndChildren() async throws {
        let index = try await TestImages.pushIndex(into: store, repository: "acme/api", tag: "v1", seed: "trust")
        let signed = try await sign(index.digest)
        let children = try index.index().manifests.map(\.digest)
        #expect(signed.map(\.subject) == [index.digest] + children)
        for entry in signed {
            let referrers = try await Referrers(store: store).list("acme/api", subject: entry.subject)
            #expect(referrers.map(\.digest) == [entry.referrer])
            #expect(referrers.first?.artifactType == TrustFormats.bundleMediaType)
            let manifest = try await store.fetchManifest("acme/api", reference: entry.referrer.description).manifest()
            #expect(manifest.artifactType == TrustFormats.bundleMediaType)
            #expect(manifest.config.digest == Referrers.emptyConfig.digest)
            #expect(manifest.layers.map(\.mediaType) == [TrustFormats.bundleMediaType])
            #expect(manifest.annotations?["dev.sigstore.bundle.predicateType"] == "https://sigstore.dev/cosign/sign/v1")
            #expect(manifest.annotations?["dev.sigstore.bundle.content"] == "dsse-envelope")
            #expect(entry.legacyTag == "sha256-\(entry.subject.hex).sig")
        }
        let report = try await verify(index.digest)
        #expect(report.verified)
        #expect(report.findings.count == 6 && report.findings.allSatisfy(\.verdict.accepted))
        #expect(Set(report.findings.map(\.kind)) == [.sigstoreBundle, .legacyCosign])
    }

    @Test("another key's signatures are found and refused, naming the signer's key")
    func anotherKeyIsRefused() async throws {
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "other")
        let other = SigningKey(generating: .ed25519)
        _ = try await sign(image.digest, signer: other)
        let report = try await verify(image.digest)
        #expect(!report.verified && report.unsigned == [image.digest])
        let bundle = try #require(report.findings.first { $0.kind == .sigstoreBundle })
        #expect(bundle.verdict.reason.contains("signed by another key (\(other.publicKey.keyID))"))
        #expect(report.findings.contains { $0.kind == .legacyCosign && !$0.verdict.accepted })
        #expect(try await verify(image.digest, with: other).verified)
    }

    @Test("signatures by two keys both survive in the fallback index and the .sig tag; a third tool's entry too")
    func readModifyWriteKeepsOthers() async throws {
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "two")
        let sbom = try Referrers.artifact(
            type: "application/spdx+json", blob: Referrers.emptyConfig, subject: image.descriptor, annotations: [:])
        try await store.pushManifest("acme/api", reference: sbom.digest.description, manifest: sbom)
        try await Referrers(store: store).link(sbom, in: "acme/api")
        let other = SigningKey(generating: .ed25519)
        _ = try await sign(image.digest)
        _ = try await sign(image.digest, signer: other)
        #expect(try await Referrers(store: store).list("acme/api", subject: image.digest).count == 3)
        let legacy = try await store.fetchManifest("acme/api", reference: "sha256-\(image.digest.hex).sig").manifest()
        #expect(legacy.layers.count == 2)
        #expect(try await verify(image.digest).verified)
        #expect(try await verify(image.digest, with: other).verified)
    }

    @Test("--no-legacy-tags writes the referrer only; an unsigned image is refused with nothing found")
    func noLegacyAndUnsigned() async throws {
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "nolegacy")
        #expect(try await verify(image.digest).findings.isEmpty)
        let signed = try await sign(image.digest, legacy: false)
        #expect(signed.first?.legacyTag == nil)
        #expect(try await store.resolve("acme/api", reference: "sha256-\(image.digest.hex).sig") == nil)
        #expect(try await verify(image.digest).verified)
    }

    @Test("a tampered bundle blob and a referrer moved to another subject are refused")
    func tamperedIsRefused() async throws {
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "tamper")
        let bundle = try KeySigner(key: key).signatureBundle(for: image.digest)
        let verifier = KeyVerifier(key: key.publicKey)
        #expect(verifier.checkBundle(bundle, subject: image.digest).accepted)
        var object = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: Any])
        var envelope = try #require(object["dsseEnvelope"] as? [String: Any])
        var payload = try #require(Data(base64Encoded: envelope["payload"] as? String ?? ""))
        payload[payload.count - 5] ^= 0x01
        envelope["payload"] = payload.base64EncodedString()
        object["dsseEnvelope"] = envelope
        let tampered = try JSONSerialization.data(withJSONObject: object)
        #expect(verifier.checkBundle(tampered, subject: image.digest).reason.contains("doesn't verify"))
        let elsewhere = verifier.checkBundle(bundle, subject: .sha256(of: Data("another image".utf8)))
        #expect(!elsewhere.accepted && elsewhere.reason.contains("about another digest"))
        #expect(!verifier.checkBundle(Data("{}".utf8), subject: image.digest).accepted)
    }

    @Test("a digest that isn't in the store is a failure that says so")
    func missingDigest() async throws {
        let digest = Digest.sha256(of: Data("nothing".utf8))
        let error = await #expect(throws: BerthError.self) { try await sign(digest) }
        #expect(error?.message.contains("does not exist") == true)
    }
}
