import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// A Harbor project whose policy refuses pulls of one image (412 on its manifest GET and HEAD, as
/// Harbor's vulnerability prevention does), over an in-memory store; `tagging` says whether it offers
/// Harbor's API for tags (the systeminfo probe's answer).
final class PolicyRefusingStore: ArtifactTagging, Sendable {
    let inner: InMemoryImageStore
    let refused: Digest
    let tagging: Bool
    let added = Locked<[String]>([])

    init(_ inner: InMemoryImageStore, refusing refused: Digest, tagging: Bool) {
        self.inner = inner
        self.refused = refused
        self.tagging = tagging
    }

    var displayName: String { inner.displayName }

    func refusal(_ repository: String, _ reference: String) -> ImageStoreError {
        ImageStoreError(
            .policy,
            "GET https://\(displayName)/v2/\(repository)/manifests/\(reference): 412 PROJECTPOLICYVIOLATION; Harbor's project policy refuses to serve it"
        )
    }

    func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        let found = try await inner.resolve(repository, reference: reference)
        if found?.digest == refused { throw refusal(repository, reference) }
        return found
    }

    func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        let document = try await inner.fetchManifest(repository, reference: reference)
        if document.digest == refused { throw refusal(repository, reference) }
        return document
    }

    func offersArtifactTagging() async throws -> Bool { tagging }

    func taggedDigest(_ repository: String, tag: String) async throws -> Digest? {
        try await inner.resolve(repository, reference: tag)?.digest
    }

    func addTag(_ tag: String, to digest: Digest, in repository: String) async throws {
        added.withLock { $0.append(tag) }
        try await inner.pushManifest(
            repository, reference: tag, manifest: try await inner.fetchManifest(repository, reference: digest.description))
    }

    func listTags(_ repository: String) async throws -> [String] { try await inner.listTags(repository) }
    func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        try await inner.fetchBlob(repository, digest: digest)
    }
    func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        try await inner.blobExists(repository, digest: digest)
    }
    func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        try await inner.pushBlob(repository, digest: digest, data: data)
    }
    func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try await inner.pushManifest(repository, reference: reference, manifest: manifest)
    }
    func deleteManifest(_ repository: String, digest: Digest) async throws {
        try await inner.deleteManifest(repository, digest: digest)
    }
    func deleteTag(_ repository: String, tag: String) async throws { try await inner.deleteTag(repository, tag: tag) }
}

/// Every reference goes to one store.
struct OneStore: ImageStoreProvider {
    let store: any ImageStore
    func store(for reference: ImageReference) throws -> any ImageStore { store }
}

@Suite("promotion where a Harbor pull policy refuses the manifest a retag reads")
struct HarborPromotionTests {
    static func refused(tagging: Bool) async throws -> (LifecycleHarness, PolicyRefusingStore, Digest) {
        let project = LifecycleHarness()
        let digest = try await project.pushBuild()
        _ = try await project.release()
        try await project.gate(digest, .pass)
        return (project, PolicyRefusingStore(project.store, refusing: digest, tagging: tagging), digest)
    }

    static func promote(_ project: LifecycleHarness, _ store: PolicyRefusingStore, to environment: String) async throws
        -> PromotionOutcome
    {
        var dependencies = project.dependencies()
        dependencies.stores = OneStore(store: store)
        let service = PromotionService(dependencies, environments: LifecycleHarness.environments, tagPrefix: "v")
        return try await service.run(
            try await service.preview(
                PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: environment)))
    }

    @Test("the tags go on through Harbor's API, are verified through it, and the promotion is recorded")
    func retagsThroughHarbor() async throws {
        let (project, store, digest) = try await Self.refused(tagging: true)
        let outcome = try await Self.promote(project, store, to: "dev")
        #expect(outcome.promoted?.environment == "dev" && outcome.promoted?.digest == digest.description)
        #expect(store.added.current == ["v0.1.0-dev"])
        #expect(try await project.tag("v0.1.0-dev") == digest)
        let rerun = try await Self.promote(project, store, to: "dev")
        #expect(rerun.promoted?.id == outcome.promoted?.id && store.added.current == ["v0.1.0-dev"], "a re-run writes nothing")
    }

    @Test("a registry without Harbor's API: the refusal, which says what to do, and nothing recorded")
    func noFallback() async throws {
        let (project, store, _) = try await Self.refused(tagging: false)
        await #expect {
            try await Self.promote(project, store, to: "dev")
        } throws: { error in
            (error as? ImageStoreError)?.kind == .policy && "\(error)".contains("412 PROJECTPOLICYVIOLATION")
        }
        #expect(try await project.events(.promoted).isEmpty)
        #expect(try await project.tag("v0.1.0-dev") == nil)
    }
}
