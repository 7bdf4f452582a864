import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

func temporaryDirectory(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("berth-\(name)-\(UUID().uuidString)").path
}

@Suite("ImageStore contract: memory and OCI layout")
struct StoreContractTests {
    static let rules = ImageStoreContract.all.map(\.0)

    @Test("the in-memory store keeps the contract", arguments: rules)
    func memory(rule: String) async throws {
        let check = try #require(ImageStoreContract.all.first { $0.0 == rule }?.1)
        try await check(InMemoryImageStore(), "acme/api")
    }

    @Test("the OCI layout store keeps the contract", arguments: rules)
    func layout(rule: String) async throws {
        let check = try #require(ImageStoreContract.all.first { $0.0 == rule }?.1)
        let path = temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await check(try OCILayoutStore(path: path), "")
    }
}

@Suite("OCI layout specifics")
struct OCILayoutStoreTests {
    @Test("a new layout has oci-layout and index.json; tags carry ref.name annotations")
    func structure() async throws {
        let path = temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let image = try await TestImages.push(into: store, repository: "", tag: "v1", seed: "structure")
        let layout = try String(contentsOfFile: "\(path)/oci-layout", encoding: .utf8)
        #expect(layout == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: URL(fileURLWithPath: "\(path)/index.json")))
        #expect(index.manifests.map(\.digest) == [image.digest])
        #expect(index.manifests.first?.annotations?[AnnotationKey.refName] == "v1")
        #expect(FileManager.default.fileExists(atPath: "\(path)/blobs/sha256/\(image.digest.hex)"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test("garbage collection removes only unreferenced blobs")
    func garbageCollection() async throws {
        let path = temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let kept = try await TestImages.pushIndex(into: store, repository: "", tag: "keep", seed: "gc-keep")
        let dropped = try await TestImages.push(into: store, repository: "", tag: "drop", seed: "gc-drop", layers: 3)
        try await store.deleteTag("", tag: "drop")
        let (removed, _) = try store.garbageCollect()
        #expect(removed == 5)  // manifest, config, 3 layers
        #expect(try await !store.blobExists("", digest: dropped.digest))
        let copy = try OCILayoutStore(path: path, create: false)
        let fetched = try await copy.fetchManifest("", reference: "keep")
        #expect(fetched.digest == kept.digest)
        for child in try fetched.index().manifests {
            for blob in try await copy.fetchManifest("", reference: child.digest.description).manifest().blobs {
                #expect(try await copy.blobExists("", digest: blob.digest))
            }
        }
    }

    @Test("a corrupt blob is an error, never data")
    func corruption() async throws {
        let path = temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let image = try await TestImages.push(into: store, repository: "", tag: "v1", seed: "corrupt")
        let layer = try image.manifest().layers[0].digest
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: "\(path)/blobs/sha256/\(layer.hex)"))
        await #expect(throws: ImageStoreError.self) { try await store.fetchBlob("", digest: layer) }
    }

    @Test("opening a directory that isn't a layout without create is a clear error")
    func notALayout() {
        #expect {
            try OCILayoutStore(path: temporaryDirectory("missing"), create: false)
        } throws: { error in
            (error as? ImageStoreError)?.message.contains("not an OCI image layout") == true
        }
    }
}

@Suite("copy and retag across stores")
struct ImageCopierTests {
    @Test("an index is copied whole, keeps its digest, and every platform's blobs arrive")
    func indexCopy() async throws {
        let source = InMemoryImageStore(name: "src")
        let path = temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let destination = try OCILayoutStore(path: path)
        let index = try await TestImages.pushIndex(into: source, repository: "acme/api", tag: "v1", seed: "copy")
        let copied = try await ImageCopier(source: source, destination: destination).copy(
            "acme/api", reference: "v1", to: "", tags: ["v1", "latest"])
        #expect(copied.digest == index.digest)
        #expect(try await destination.resolve("", reference: "latest")?.digest == index.digest)
        try await ImageStoreContractCheck.allBlobsPresent(destination, "", index)
    }

    @Test("blobs already present are skipped; same-store copies mount instead of moving bytes")
    func skipsAndMounts() async throws {
        let store = InMemoryImageStore()
        try await TestImages.push(into: store, repository: "a", tag: "v1", seed: "mount", layers: 4)
        let events = EventLog()
        try await ImageCopier(source: store, destination: store, onEvent: { events.add($0) }).copy(
            "a", reference: "v1", to: "b", tags: ["v1"])
        #expect(events.events.filter { if case .blobMounted = $0 { true } else { false } }.count == 5)
        #expect(store.operations["fetchBlob"] == nil)
        // Across stores, a second copy finds every blob already there and moves nothing.
        let path = temporaryDirectory("layout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let layout = try OCILayoutStore(path: path)
        try await ImageCopier(source: store, destination: layout).copy("a", reference: "v1", to: "", tags: ["v1"])
        let fetchesBefore = store.operations["fetchBlob"] ?? 0
        let again = EventLog()
        try await ImageCopier(source: store, destination: layout, onEvent: { again.add($0) }).copy(
            "a", reference: "v1", to: "", tags: ["v2"])
        #expect(again.events.filter { if case .blobPresent = $0 { true } else { false } }.count == 5)
        #expect(store.operations["fetchBlob"] ?? 0 == fetchesBefore)
    }

    @Test("retag is one GET and one PUT per tag, identical bytes")
    func retag() async throws {
        let store = InMemoryImageStore()
        let image = try await TestImages.push(into: store, repository: "a", tag: "v1", seed: "retag")
        let before = store.operations
        try await Retagger(store: store).retag("a", reference: "v1", tags: ["x", "y"])
        #expect((store.operations["fetchManifest"] ?? 0) - (before["fetchManifest"] ?? 0) == 1)
        #expect((store.operations["pushManifest"] ?? 0) - (before["pushManifest"] ?? 0) == 2)
        #expect(try await store.fetchManifest("a", reference: "y").bytes == image.bytes)
    }
}

/// Collects transfer events from concurrent tasks.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [TransferEvent] = []
    func add(_ event: TransferEvent) { lock.withLock { list.append(event) } }
    var events: [TransferEvent] { lock.withLock { list } }
}

enum ImageStoreContractCheck {
    static func allBlobsPresent(_ store: any ImageStore, _ repository: String, _ document: ManifestDocument) async throws {
        if document.isIndex {
            for child in try document.index().manifests {
                try await allBlobsPresent(
                    store, repository, try await store.fetchManifest(repository, reference: child.digest.description))
            }
        } else {
            for blob in try document.manifest().blobs {
                #expect(try await store.blobExists(repository, digest: blob.digest), "\(blob.digest)")
            }
        }
    }
}

@Suite("streamed blob transfers")
struct StreamingCopyTests {
    @Test("layout to layout streams in chunks and keeps every digest")
    func streamedCopy() async throws {
        let (a, b) = (temporaryDirectory("stream-a"), temporaryDirectory("stream-b"))
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let source = try OCILayoutStore(path: a)
        let image = try await TestImages.push(
            into: source, repository: "", tag: "v1", seed: "stream", layers: 2, layerSize: (3 << 20) + 1000)
        let chunks = try await source.openBlob("", digest: try image.manifest().layers[0].digest)
        var sizes: [Int] = []
        while let chunk = try await chunks.nextChunk() { sizes.append(chunk.count) }
        #expect(sizes == [1 << 20, 1 << 20, 1 << 20, 1000])
        let destination = try OCILayoutStore(path: b)
        try await ImageCopier(source: source, destination: destination).copy("", reference: "v1", to: "", tags: ["v1"])
        try await ImageStoreContractCheck.allBlobsPresent(destination, "", image)
    }

    /// A layout whose first streamed upload reads half the blob and then fails as a dropped registry would.
    struct FlakyUploads: BlobStreaming {
        let layout: OCILayoutStore
        let failures = Locked(1)
        let uploads = Locked(0)
        var displayName: String { layout.displayName }
        func listTags(_ r: String) async throws -> [String] { try await layout.listTags(r) }
        func resolve(_ r: String, reference: String) async throws -> Descriptor? {
            try await layout.resolve(r, reference: reference)
        }
        func fetchManifest(_ r: String, reference: String) async throws -> ManifestDocument {
            try await layout.fetchManifest(r, reference: reference)
        }
        func fetchBlob(_ r: String, digest: Digest) async throws -> Data { try await layout.fetchBlob(r, digest: digest) }
        func blobExists(_ r: String, digest: Digest) async throws -> Bool { try await layout.blobExists(r, digest: digest) }
        func pushBlob(_ r: String, digest: Digest, data: Data) async throws {
            try await layout.pushBlob(r, digest: digest, data: data)
        }
        func pushManifest(_ r: String, reference: String, manifest: ManifestDocument) async throws {
            try await layout.pushManifest(r, reference: reference, manifest: manifest)
        }
        func deleteManifest(_ r: String, digest: Digest) async throws { try await layout.deleteManifest(r, digest: digest) }
        func deleteTag(_ r: String, tag: String) async throws { try await layout.deleteTag(r, tag: tag) }
        func openBlob(_ r: String, digest: Digest) async throws -> BlobChunks { try await layout.openBlob(r, digest: digest) }
        func pushBlob(_ r: String, digest: Digest, chunks: BlobChunks) async throws {
            uploads.withLock { $0 += 1 }
            let fail = failures.withLock { count in
                defer { count -= 1 }
                return count > 0
            }
            if fail {
                _ = try await chunks.nextChunk()
                throw ImageStoreError(.unavailable, "PATCH upload: the connection was reset")
            }
            try await layout.pushBlob(r, digest: digest, chunks: chunks)
        }
    }

    @Test("an upload that fails part-way is retried from a new read of the source; the copy completes")
    func failedUploadIsRetried() async throws {
        let (a, b) = (temporaryDirectory("stream-a"), temporaryDirectory("stream-b"))
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let source = try OCILayoutStore(path: a)
        let image = try await TestImages.push(
            into: source, repository: "", tag: "v1", seed: "flaky-upload", layers: 1, layerSize: (2 << 20) + 10)
        let destination = FlakyUploads(layout: try OCILayoutStore(path: b))
        try await ImageCopier(source: source, destination: destination)
            .copy("", reference: "v1", to: "", tags: ["v1"])
        try await ImageStoreContractCheck.allBlobsPresent(destination.layout, "", image)
        #expect(destination.uploads.current == 3)  // config and layer, the first retried once
    }

    @Test("a corrupt source blob fails the streamed copy and nothing is committed")
    func corruptSource() async throws {
        let (a, b) = (temporaryDirectory("stream-a"), temporaryDirectory("stream-b"))
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let source = try OCILayoutStore(path: a)
        let image = try await TestImages.push(into: source, repository: "", tag: "v1", seed: "corrupt-stream")
        let layer = try image.manifest().layers[1].digest
        try Data(repeating: 1, count: 700).write(to: URL(fileURLWithPath: "\(a)/blobs/sha256/\(layer.hex)"))
        let destination = try OCILayoutStore(path: b)
        await #expect(throws: ImageStoreError.self) {
            try await ImageCopier(source: source, destination: destination).copy("", reference: "v1", to: "", tags: ["v1"])
        }
        #expect(try await !destination.blobExists("", digest: layer))
        #expect(try await destination.resolve("", reference: "v1") == nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(b)/blobs/sha256").filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
