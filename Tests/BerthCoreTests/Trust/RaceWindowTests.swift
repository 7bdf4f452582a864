import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("the wait before the final check of shared tags (RaceWindow)")
struct RaceWindowTests {
    @Test("the pause is 4× the longest read-to-write gap measured, never under the minimum")
    func pauseFollowsGaps() {
        let window = RaceWindow(minimum: .milliseconds(50))
        #expect(!window.isOpen)
        window.wrote(readAt: .now - .milliseconds(5))
        #expect(window.isOpen)
        #expect(window.pause == .milliseconds(50), "4 × 5 ms is under the minimum")
        window.wrote(readAt: .now - .milliseconds(100))
        #expect(window.pause >= .milliseconds(400) && window.pause < .milliseconds(1_000))
        window.wrote(readAt: .now - .milliseconds(10))
        #expect(window.pause >= .milliseconds(400), "a shorter gap later doesn't shorten it")
    }

    @Test(
        "waitOut waits out the pause from the last write, counts time spent since, and returns at once when nothing was written")
    func waitOut() async throws {
        let clock = ContinuousClock()
        let closed = RaceWindow(minimum: .seconds(10))
        #expect(try await clock.measure { try await closed.waitOut() } < .seconds(1))

        let window = RaceWindow(minimum: .milliseconds(200))
        window.wrote(readAt: .now)
        let waited = try await clock.measure { try await window.waitOut() }
        #expect(waited >= .milliseconds(190))

        let busy = RaceWindow(minimum: .milliseconds(150))
        busy.wrote(readAt: .now)
        try await Task.sleep(for: .milliseconds(200))  // other work after the write
        #expect(try await clock.measure { try await busy.waitOut() } < .milliseconds(100))
    }
}

/// An in-memory store that records what reaches it: every reference a manifest is pushed under, every
/// read of a manifest or blob by digest; with `keepsReferrers` it keeps the referrers list itself, as
/// registries with the OCI 1.1 API do (without, it answers it has no API).
final class RecordingStore: ReferrersListing, Sendable {
    let inner: InMemoryImageStore
    let keepsReferrers: Bool
    private let listed = Locked<[Digest: [Descriptor]]>([:])
    private let pushed = Locked<[String]>([])
    private let reads = Locked<[String: Int]>([:])
    private let referrersAsked = Locked(0)
    private let blobPushes = Locked<[Digest: Int]>([:])

    init(_ inner: InMemoryImageStore = InMemoryImageStore(), keepsReferrers: Bool) {
        self.inner = inner
        self.keepsReferrers = keepsReferrers
    }

    var displayName: String { inner.displayName }
    /// Every tag or digest a manifest was pushed under, in order.
    var manifestReferences: [String] { pushed.current }
    /// Reads of each manifest or blob by digest (`manifest sha256:…`, `blob sha256:…`).
    var digestReads: [String: Int] { reads.current }
    /// Calls of the referrers API (answered nil, "no API", without `keepsReferrers`).
    var referrersCalls: Int { referrersAsked.current }
    /// Uploads of each blob.
    var pushesByDigest: [Digest: Int] { blobPushes.current }

    func listTags(_ repository: String) async throws -> [String] { try await inner.listTags(repository) }
    func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        try await inner.resolve(repository, reference: reference)
    }
    func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        if Digest(reference) != nil { reads.withLock { $0["manifest \(reference)", default: 0] += 1 } }
        return try await inner.fetchManifest(repository, reference: reference)
    }
    func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        reads.withLock { $0["blob \(digest)", default: 0] += 1 }
        return try await inner.fetchBlob(repository, digest: digest)
    }
    func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        try await inner.blobExists(repository, digest: digest)
    }
    func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        try await inner.pushBlob(repository, digest: digest, data: data)
        blobPushes.withLock { $0[digest, default: 0] += 1 }
    }
    func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try await inner.pushManifest(repository, reference: reference, manifest: manifest)
        pushed.withLock { $0.append(reference) }
        if !manifest.isIndex, let parsed = try? manifest.manifest(), let subject = parsed.subject {
            var descriptor = manifest.descriptor
            descriptor.artifactType = parsed.artifactType ?? parsed.config.mediaType
            descriptor.annotations = parsed.annotations
            listed.withLock { $0[subject.digest, default: []].append(descriptor) }
        }
    }
    func deleteManifest(_ repository: String, digest: Digest) async throws {
        try await inner.deleteManifest(repository, digest: digest)
    }
    func deleteTag(_ repository: String, tag: String) async throws { try await inner.deleteTag(repository, tag: tag) }
    func referrers(_ repository: String, digest: Digest) async throws -> [Descriptor]? {
        referrersAsked.withLock { $0 += 1 }
        return keepsReferrers ? listed.current[digest] ?? [] : nil
    }
}

@Suite("signing where the registry keeps the referrers list")
struct ReferrersAPISigningTests {
    @Test("with the referrers API and legacy tags off, signing writes no tag and doesn't wait; with legacy tags it waits")
    func noSharedTagNoWait() async throws {
        let store = RecordingStore(keepsReferrers: true)
        let index = try await TestImages.pushIndex(into: store.inner, repository: "acme/api", tag: "v1", seed: "api-sign")
        let key = StandInKey(keyID: "api-key")
        var service = SigningService(store: store, signer: key, legacyTags: false)
        // A pause far longer than the signing takes even on a loaded machine (38 s was seen once in a
        // parallel run at load 10): a run that waited can't pass for one that didn't.
        service.settle = .seconds(120)
        let clock = ContinuousClock()
        var signed: [SigningService.Signed] = []
        let elapsed = try await clock.measure {
            signed = try await service.sign(
                "acme/api", digest: index.digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z")
        }
        #expect(signed.count == 3)
        #expect(elapsed < .seconds(60), "nothing shared was written, so nothing is waited for")
        #expect(store.manifestReferences.allSatisfy { Digest($0) != nil }, "no fallback index, no .sig tag")
        let report = try await VerificationService(store: store, verifier: key).verify(
            "acme/api", digest: index.digest, reference: "acme/api@\(index.digest)")
        #expect(report.verified)

        service.legacyTags = true
        service.settle = .seconds(3)
        let image = try await TestImages.push(into: store.inner, repository: "acme/api", tag: "v2", seed: "api-sign-legacy")
        let legacyElapsed = try await clock.measure {
            _ = try await service.sign(
                "acme/api", digest: image.digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z")
        }
        #expect(legacyElapsed >= .milliseconds(2_900), "the .sig tag is shared: its check waits")
        #expect(store.manifestReferences.contains("sha256-\(image.digest.hex).sig"))
    }
}

@Suite("one signing run reads each manifest and blob by digest once")
struct SigningReadsTests {
    static let provenance = SLSAProvenance(
        source: .init(repository: "https://github.com/acme/api", commit: "c0ffee", ref: "refs/heads/main"),
        version: "1.0.0", platforms: [], baseImage: nil, goVersion: nil, modules: [], berthVersion: "test",
        startedOn: nil, finishedOn: nil)

    @Test("attestMissing on an index (verification, then signature, provenance and SBOM per subject) reads no digest twice")
    func eachDigestOnce() async throws {
        let memory = InMemoryImageStore()
        let index = try await TestImages.pushIndex(into: memory, repository: "acme/api", tag: "v1", seed: "reads-once")
        let store = RecordingStore(memory, keepsReferrers: false)
        let key = StandInKey(keyID: "reads-key")
        var service = AttestationService(store: store, signer: key)
        service.signing.settle = .zero
        let outcome = try await service.attestMissing(
            "acme/api", digest: index.digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z",
            request: .init(sign: true, provenance: SigningReadsTests.provenance), verifier: key)
        #expect(outcome.signed.count == 3 && outcome.attested.count == 3)
        let twice = store.digestReads.filter { $0.value > 1 }
        #expect(twice.isEmpty, "read more than once: \(twice)")
        #expect(!store.digestReads.isEmpty)
        #expect(store.referrersCalls == 1, "a store that answered it has no referrers API is not asked again")
        // Every referrer of every subject names the empty config; a repository without it gets it once.
        #expect(store.pushesByDigest[Referrers.emptyConfig.digest] == 1)
    }
}

@Suite("signing a build this process pushed reads what the build made from memory")
struct SigningMadeReadsTests {
    /// A two-platform index pushed to `memory`, and the build's own copy of it as StagedImageStore holds
    /// one: the index, its manifests and their configs and, with `sboms`, an SPDX referrer of each manifest
    /// (pushed by digest as the build's push does, but named by no fallback index).
    static func build(in memory: InMemoryImageStore, seed: String, sboms: Bool) async throws
        -> (index: ManifestDocument, made: StagedImageStore)
    {
        let index = try await TestImages.pushIndex(into: memory, repository: "acme/api", tag: "v1", seed: seed)
        var manifests = [index]
        var blobs: [Digest: Data] = [:]
        for child in try index.index().manifests {
            let manifest = try await memory.fetchManifest("acme/api", reference: child.digest.description)
            manifests.append(manifest)
            let config = try manifest.manifest().config
            blobs[config.digest] = try await memory.fetchBlob("acme/api", digest: config.digest)
            guard sboms else { continue }
            let spdx = Data(#"{"spdxVersion":"SPDX-2.3","name":"\#(child.digest)","packages":[]}"#.utf8)
            let blob = Descriptor(mediaType: SPDXDocument.mediaType, digest: .sha256(of: spdx), size: Int64(spdx.count))
            let sbom = try Referrers.artifact(type: SPDXDocument.mediaType, blob: blob, subject: child, annotations: [:])
            try await memory.pushBlob("acme/api", digest: blob.digest, data: spdx)
            try await memory.pushManifest("acme/api", reference: sbom.digest.description, manifest: sbom)
            manifests.append(sbom)
            blobs[blob.digest] = spdx
        }
        return (index, StagedImageStore(blobs: blobs, manifests: manifests, fallback: nil))
    }

    @Test("attestMissing through reading(made:) asks the store for none of the build's manifests and configs, only for tags")
    func madeContentFromMemory() async throws {
        let memory = InMemoryImageStore()
        let (index, made) = try await Self.build(in: memory, seed: "made-reads", sboms: false)
        let store = RecordingStore(memory, keepsReferrers: false)
        let key = StandInKey(keyID: "made-key")
        var service = AttestationService(store: store, signer: key)
        service.signing.settle = .zero
        let outcome = try await service.reading(made: made).attestMissing(
            "acme/api", digest: index.digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z",
            request: .init(sign: true, provenance: SigningReadsTests.provenance), verifier: key)
        #expect(outcome.signed.count == 3 && outcome.attested.count == 3)
        #expect(store.digestReads.isEmpty, "read from the store: \(store.digestReads)")
        let report = try await VerificationService(store: store, verifier: key).verify(
            "acme/api", digest: index.digest, reference: "acme/api@\(index.digest)")
        #expect(report.verified, "what was written from the build's copy verifies against the store")
        #expect(!store.digestReads.isEmpty, "the check itself reads through the store")
    }

    @Test("the SBOM berth build attached is read from the build, not looked up in the registry's fallback index")
    func madeSBOMFromMemory() async throws {
        let memory = InMemoryImageStore()
        let (index, made) = try await Self.build(in: memory, seed: "made-sbom", sboms: true)
        let key = StandInKey(keyID: "made-key")
        var service = AttestationService(store: RecordingStore(memory, keepsReferrers: false), signer: key)
        service.signing.settle = .zero
        let outcome = try await service.reading(made: made).attestMissing(
            "acme/api", digest: index.digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z",
            request: .init(sign: true, provenance: SigningReadsTests.provenance, sbom: .referrers), verifier: key)
        let sboms = outcome.attested.filter { $0.name == "sbom" }.map(\.subject)
        #expect(Set(sboms) == Set(try index.index().manifests.map(\.digest)), "\(outcome.notes)")
    }

    @Test("staged before the image is pushed, signing writes only blobs; finished once the image is in, it verifies")
    func stagedBeforePush() async throws {
        let builder = InMemoryImageStore()
        let (index, made) = try await Self.build(in: builder, seed: "made-staged", sboms: true)
        let store = RecordingStore(keepsReferrers: false)
        let key = StandInKey(keyID: "staged-key")
        var service = AttestationService(store: store, signer: key)
        service.signing.settle = .zero
        let staged = try await service.reading(made: made).stage(
            "acme/api", digest: index.digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z",
            request: .init(sign: true, provenance: SigningReadsTests.provenance, sbom: .referrers))
        #expect(store.manifestReferences.isEmpty, "no manifest or tag names a subject that isn't pushed yet")
        #expect(store.pushesByDigest.count >= 3 * 2 + 2, "each subject's bundles and legacy payloads are uploaded")
        #expect(try await store.resolve("acme/api", reference: index.digest.description) == nil)

        try await ImageCopier(source: builder, destination: store.inner).copy(
            "acme/api", reference: index.digest.description, to: "acme/api", tags: [])
        let outcome = try await staged.finish()
        #expect(outcome.signed.count == 3)
        #expect(outcome.attested.map(\.name).sorted() == ["provenance", "provenance", "provenance", "sbom", "sbom"])
        let report = try await VerificationService(store: store, verifier: key).verify(
            "acme/api", digest: index.digest, reference: "acme/api@\(index.digest)")
        #expect(report.verified)
        // A signature and a provenance on each of 3 subjects and an SBOM on each of 2 manifests, each as a
        // bundle referrer and in a legacy tag.
        let accepted: Int = report.findings.filter(\.verdict.accepted).count
        #expect(accepted == 16)
    }
}
