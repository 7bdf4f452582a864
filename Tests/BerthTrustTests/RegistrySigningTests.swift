import BerthCore
import BerthOCI
import BerthRegistry
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTrust

/// A tampering signer: signs properly, then flips one byte of what it hands back, the way an attacker
/// who can write to the registry but holds no key would change a signature.
struct TamperingSigner: ArtifactSigner {
    let inner: KeySigner
    var keyID: String { inner.keyID }

    func signatureBundle(for subject: Digest) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: try inner.signatureBundle(for: subject)) as? [String: Any] ?? [:]
        var envelope = object["dsseEnvelope"] as? [String: Any] ?? [:]
        var payload = Data(base64Encoded: envelope["payload"] as? String ?? "") ?? Data()
        payload[payload.count - 3] ^= 0x01
        envelope["payload"] = payload.base64EncodedString()
        object["dsseEnvelope"] = envelope
        return try JSONSerialization.data(withJSONObject: object)
    }

    func simpleSignature(for subject: Digest, dockerReference: String) throws -> SimpleSignature {
        let real = try inner.simpleSignature(for: subject, dockerReference: dockerReference)
        var payload = real.payload
        payload[payload.count - 20] ^= 0x01
        return SimpleSignature(payload: payload, signature: real.signature)
    }

    func attestation(_ attestation: Attestation, about subject: Digest) throws -> SignedAttestation {
        let real = try inner.attestation(attestation, about: subject)
        var envelope = try JSONDecoder().decode(DSSEEnvelope.self, from: real.envelope)
        envelope.payload[envelope.payload.count - 3] ^= 0x01
        return SignedAttestation(
            bundle: try CanonicalJSON.encode(SigstoreBundle(keyHint: keyID, envelope: envelope)),
            envelope: try CanonicalJSON.encode(envelope))
    }
}

@Suite("signing against Docker Distribution 2.8 (no referrers API: the fallback index)", .requires(.dockerRegistry))
struct RegistrySigningTests {
    @Test(
        "sign an index: referrers read back through the sha256-<hex> fallback index byte for byte, .sig tags, verified; tampered refused"
    )
    func signAndVerify() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let store = RegistryClient(host: server.host, transport: AsyncHTTPClientTransport.shared)
        #expect(
            try await store.referrers("acme/api", digest: .sha256(of: Data())) == nil, "Distribution 2.8 has no referrers API")
        let index = try await TestImages.pushIndex(into: store, repository: "acme/api", tag: "v1", seed: "registry-trust")
        let key = SigningKey(generating: .ecdsaP256)
        let signer = KeySigner(key: key)
        let signed = try await SigningService(store: store, signer: signer).sign(
            "acme/api", digest: index.digest, dockerReference: "\(server.host)/acme/api", created: "2026-12-01T21:00:00Z")
        #expect(signed.count == 3)
        for entry in signed {
            let fallback = try await store.fetchManifest("acme/api", reference: "sha256-\(entry.subject.hex)")
            #expect(fallback.isIndex)
            let listed = try fallback.index().manifests
            #expect(listed.map(\.digest) == [entry.referrer])
            #expect(listed.first?.artifactType == TrustFormats.bundleMediaType)
            #expect(listed.first?.annotations?["dev.sigstore.bundle.predicateType"] == TrustFormats.cosignSignPredicate)
            let referrer = try await store.fetchManifest("acme/api", reference: entry.referrer.description)
            let bundleLayer = try #require(try referrer.manifest().layers.first)
            let bundle = try await store.fetchBlob("acme/api", digest: bundleLayer.digest)
            #expect(KeyVerifier(key: key.publicKey).checkBundle(bundle, subject: entry.subject).accepted)
            #expect(try await store.resolve("acme/api", reference: "sha256-\(entry.subject.hex).sig") != nil)
        }
        let verifier = KeyVerifier(key: key.publicKey)
        let report = try await VerificationService(store: store, verifier: verifier).verify(
            "acme/api", digest: index.digest, reference: "acme/api@\(index.digest)")
        #expect(report.verified && report.findings.count == 6)

        // An attacker with write access adds tampered signatures of a second image: refused, one by one.
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v2", seed: "registry-tamper")
        _ = try await SigningService(store: store, signer: TamperingSigner(inner: signer)).sign(
            "acme/api", digest: image.digest, dockerReference: "\(server.host)/acme/api", created: "2026-12-01T21:00:00Z")
        let tampered = try await VerificationService(store: store, verifier: verifier).verify(
            "acme/api", digest: image.digest, reference: "acme/api@\(image.digest)")
        #expect(!tampered.verified && tampered.findings.count == 2)
        #expect(tampered.findings.allSatisfy { !$0.verdict.accepted && $0.verdict.reason.contains("doesn't verify") })
    }

    @Test(
        "a writer that read the fallback index and the .sig tag before berth's write puts its stale copies back 150 ms after it: berth's final check restores its entries, the other writer's stay"
    )
    func staleWriterAfterWrite() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let store = RegistryClient(host: server.host, transport: AsyncHTTPClientTransport.shared)
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "stale-writer")
        let subject = Descriptor(mediaType: image.mediaType, digest: image.digest, size: Int64(image.bytes.count))
        let (indexTag, sigTag) = ("sha256-\(image.digest.hex)", "sha256-\(image.digest.hex).sig")

        // The other writer's entries, pushed by digest: an artifact about the image (what oras attach
        // pushes) and a cosign signature layer by another key.
        let note = Data("other tool".utf8)
        let noteBlob = Descriptor(mediaType: "text/plain", digest: .sha256(of: note), size: Int64(note.count))
        try await store.pushBlob("acme/api", digest: noteBlob.digest, data: note)
        try await store.pushBlob("acme/api", digest: Referrers.emptyConfig.digest, data: Referrers.emptyConfigBytes)
        let artifact = try Referrers.artifact(type: "text/plain", blob: noteBlob, subject: subject, annotations: [:])
        try await store.pushManifest("acme/api", reference: artifact.digest.description, manifest: artifact)
        var otherEntry = artifact.descriptor
        otherEntry.artifactType = "text/plain"
        let otherKey = SigningKey(generating: .ed25519)
        let otherSignature = try KeySigner(key: otherKey).simpleSignature(
            for: image.digest, dockerReference: "\(server.host)/acme/api")
        try await store.pushBlob("acme/api", digest: .sha256(of: otherSignature.payload), data: otherSignature.payload)
        let otherLayer = Descriptor(
            mediaType: TrustFormats.simpleSigningMediaType, digest: .sha256(of: otherSignature.payload),
            size: Int64(otherSignature.payload.count),
            annotations: [TrustFormats.signatureAnnotation: otherSignature.signature])
        let config = Data(#"{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        try await store.pushBlob("acme/api", digest: .sha256(of: config), data: config)
        // What the other writer read before berth wrote (neither tag existed), plus its own entry.
        let staleIndex = try ManifestDocument(bytes: CanonicalJSON.encode(ImageIndex(manifests: [otherEntry])))
        let staleSig = try ManifestDocument(
            bytes: CanonicalJSON.encode(
                ImageManifest(
                    config: Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count)),
                    layers: [otherLayer])))

        /// Waits until berth's entry is in `tag` and has been for 150 ms, then writes the stale copy over it.
        @Sendable func overwrite(_ tag: String, with stale: ManifestDocument, once holds: (ManifestDocument) throws -> Bool)
            async throws -> Bool
        {
            for _ in 0..<2_000 {
                if let current = try? await store.fetchManifest("acme/api", reference: tag), try holds(current) {
                    try await Task.sleep(for: .milliseconds(150))
                    try await store.pushManifest("acme/api", reference: tag, manifest: stale)
                    return true
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            return false
        }
        let key = SigningKey(generating: .ecdsaP256)
        var service = SigningService(store: store, signer: KeySigner(key: key))
        service.settle = .milliseconds(900)  // ample for the other writer's 150 ms on a loaded machine
        async let signed = service.sign(
            "acme/api", digest: image.digest, dockerReference: "\(server.host)/acme/api", created: "2026-12-01T21:00:00Z")
        async let indexOverwritten = overwrite(indexTag, with: staleIndex) { current in
            try current.index().manifests.contains { $0.artifactType == TrustFormats.bundleMediaType }
        }
        async let sigOverwritten = overwrite(sigTag, with: staleSig) { current in
            // The same payload (same digest and reference): berth's layer differs by its signature only.
            try current.manifest().layers.contains { $0 != otherLayer }
        }
        let (written, overwroteIndex, overwroteSig) = try await (signed, indexOverwritten, sigOverwritten)
        #expect(overwroteIndex && overwroteSig, "the other writer saw berth's entries and wrote its stale copies over them")

        let listed = try await store.fetchManifest("acme/api", reference: indexTag).index().manifests.map(\.digest)
        #expect(Set(listed) == [written[0].referrer, artifact.digest])
        let layers = try await store.fetchManifest("acme/api", reference: sigTag).manifest().layers
        #expect(layers.count == 2 && layers.contains(otherLayer))
        let mine = try await VerificationService(store: store, verifier: KeyVerifier(key: key.publicKey)).verify(
            "acme/api", digest: image.digest, reference: "acme/api@\(image.digest)")
        #expect(mine.verified && mine.findings.filter(\.verdict.accepted).map(\.kind) == [.sigstoreBundle, .legacyCosign])
        let theirs = try await VerificationService(store: store, verifier: KeyVerifier(key: otherKey.publicKey)).verify(
            "acme/api", digest: image.digest, reference: "acme/api@\(image.digest)")
        #expect(theirs.verified, "the other key's .sig layer survived berth's repair")
    }

    @Test("8 signers racing on one digest all end up in the fallback index and the .sig tag")
    func racingSigners() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let store = RegistryClient(host: server.host, transport: AsyncHTTPClientTransport.shared)
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "race")
        let keys = (0..<8).map { _ in SigningKey(generating: .ed25519) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask {
                    _ = try await SigningService(store: store, signer: KeySigner(key: key)).sign(
                        "acme/api", digest: image.digest, dockerReference: "\(server.host)/acme/api",
                        created: "2026-12-01T21:00:00Z")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await Referrers(store: store).list("acme/api", subject: image.digest).count == 8)
        let legacy = try await store.fetchManifest("acme/api", reference: "sha256-\(image.digest.hex).sig").manifest()
        #expect(legacy.layers.count == 8)
        for key in keys {
            #expect(
                try await VerificationService(store: store, verifier: KeyVerifier(key: key.publicKey)).verify(
                    "acme/api", digest: image.digest, reference: "x"
                ).verified)
        }
    }
}
