import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

/// Big blobs between layouts and real Docker Distributions: one streamed PUT per blob, bytes and digests
/// intact each way, a repeat copy mounted from where the blob-location cache saw it, a stale location
/// falling back to an upload, and a blob whose bytes are wrong refused with nothing left behind.
@Suite("big blobs and the blob-location cache against a real Docker Distribution")
struct BigBlobCopyTests {
    /// 12 MiB: above the 8 MiB PATCH chunk the client used to cut uploads into.
    static let layerSize = 12 << 20

    /// A temporary directory removed by the caller.
    static func temporary(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    }

    /// A layout holding one image tagged `v1`: a config and one layer of random bytes.
    static func bigImage(at path: String) async throws -> (layout: OCILayoutStore, image: ManifestDocument, layer: Digest) {
        let layout = try OCILayoutStore(path: path)
        let handle = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let layer = try #require(try handle.read(upToCount: layerSize))
        try handle.close()
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count))
        let layerDescriptor = Descriptor(
            mediaType: MediaType.ociLayerTarGzip, digest: .sha256(of: layer), size: Int64(layer.count))
        try await layout.pushBlob("", digest: configDescriptor.digest, data: config)
        try await layout.pushBlob("", digest: layerDescriptor.digest, data: layer)
        let document = try ManifestDocument(
            bytes: try CanonicalJSON.encode(ImageManifest(config: configDescriptor, layers: [layerDescriptor])),
            mediaType: MediaType.ociManifest)
        try await layout.pushManifest("", reference: "v1", manifest: document)
        return (layout, document, layerDescriptor.digest)
    }

    /// Two registries, a layout holding the big image, and a path for a layout to copy back into.
    struct TwoRegistries {
        let first: RegistryServer
        let second: RegistryServer
        let sourcePath = BigBlobCopyTests.temporary("big-src")
        let backPath = BigBlobCopyTests.temporary("big-back")
        let layout: OCILayoutStore
        let image: ManifestDocument
        let layer: Digest
        let a: RegistryClient
        let b: RegistryClient

        init() async throws {
            (first, second) = (try RegistryServer(), try RegistryServer())
            (layout, image, layer) = try await BigBlobCopyTests.bigImage(at: sourcePath)
            (a, b) = (BigBlobCopyTests.client(first), BigBlobCopyTests.client(second))
        }

        func stop() {
            first.stop()
            second.stop()
            for path in [sourcePath, backPath] { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    static func client(_ server: RegistryServer, cache: String? = nil) -> RegistryClient {
        RegistryClient(
            host: server.host, transport: AsyncHTTPClientTransport.shared,
            blobLocations: cache.map { BlobLocationCache(root: $0, host: server.host) })
    }

    /// The blob's file in the registry's storage.
    static func storedBlob(_ server: RegistryServer, _ digest: Digest) -> String {
        server.directory.appendingPathComponent(
            "data/docker/registry/v2/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)/data"
        ).path
    }

    /// The access log's request lines, whole (`accessLogRequests` cuts them at 120 characters, before a
    /// mount's `from=`).
    static func logged(_ server: RegistryServer) -> [String] {
        let text = (try? String(contentsOf: server.logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let quote = line.firstIndex(of: "\""), line[quote...].contains(" /v2/") else { return nil }
            return String(line[quote...])
        }
    }

    static func requests(_ server: RegistryServer, _ method: String, containing text: String = "") -> [String] {
        logged(server).filter { $0.hasPrefix("\"\(method) ") && $0.contains(text) }
    }

    @Test(
        "a big layer goes layout → registry → registry → layout byte for byte, one streamed PUT per blob, no PATCH",
        .requires(.dockerRegistry))
    func bigBlobEachWay() async throws {
        let lab = try await TwoRegistries()
        defer { lab.stop() }
        let (first, second, sourcePath, backPath) = (lab.first, lab.second, lab.sourcePath, lab.backPath)
        let (layout, image, layer, a, b) = (lab.layout, lab.image, lab.layer, lab.a, lab.b)

        let events = EventRecorder()
        try await ImageCopier(source: layout, destination: a, onEvent: { events.add($0) })
            .copy("", reference: "v1", to: "big/app", tags: ["v1"])
        try await ImageCopier(source: a, destination: b, onEvent: { events.add($0) })
            .copy("big/app", reference: "v1", to: "other/app", tags: ["v1"])
        let back = try OCILayoutStore(path: backPath)
        let copied = try await ImageCopier(source: b, destination: back, onEvent: { events.add($0) })
            .copy("other/app", reference: "v1", to: "", tags: ["v1"])

        #expect(copied.digest == image.digest)
        #expect(events.copied == 6 && events.mounted == 0)
        for server in [first, second] {
            #expect(Self.requests(server, "PATCH").isEmpty)
            // Config and layer: one PUT each with the bytes and the digest.
            #expect(Self.requests(server, "PUT", containing: "/blobs/uploads/").count == 2)
            #expect(Self.requests(server, "POST", containing: "/blobs/uploads/").count == 2)
        }
        let original = try #require(FileManager.default.contents(atPath: "\(sourcePath)/blobs/sha256/\(layer.hex)"))
        #expect(FileManager.default.contents(atPath: Self.storedBlob(first, layer)) == original)
        #expect(FileManager.default.contents(atPath: Self.storedBlob(second, layer)) == original)
        #expect(FileManager.default.contents(atPath: "\(backPath)/blobs/sha256/\(layer.hex)") == original)
        #expect(try await back.resolve("", reference: "v1")?.digest == image.digest)
    }

    @Test(
        "a repeat copy into another repository mounts every blob from where an earlier process pushed it",
        .requires(.dockerRegistry))
    func repeatCopyMounts() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let (sourcePath, cache) = (Self.temporary("repeat-src"), Self.temporary("repeat-cache"))
        defer { for path in [sourcePath, cache] { try? FileManager.default.removeItem(atPath: path) } }
        let (layout, image, layer) = try await Self.bigImage(at: sourcePath)
        try await ImageCopier(source: layout, destination: Self.client(server, cache: cache))
            .copy("", reference: "v1", to: "team/first", tags: ["v1"])
        #expect(BlobLocationCache(root: cache, host: server.host).repositories(holding: layer) == ["team/first"])

        // A new client over the same cache directory, as the next berth process would have.
        let client = Self.client(server, cache: cache)
        let before = Self.logged(server).count
        let events = EventRecorder()
        let copied = try await ImageCopier(source: layout, destination: client, onEvent: { events.add($0) })
            .copy("", reference: "v1", to: "team/second", tags: ["v1"])
        #expect(copied.digest == image.digest)
        #expect(events.mounted == 2 && events.copied == 0)
        let repeatRequests = Self.logged(server).dropFirst(before)
        #expect(
            repeatRequests.filter { $0.contains("mount=") && $0.contains("from=team/first") && $0.contains("\" 201 ") }.count == 2
        )
        // Two mounts, the manifest's PUT and the HEAD that checks the tag: no blob bytes moved.
        #expect(repeatRequests.count == 4, "\(Array(repeatRequests))")
        #expect(try await client.resolve("team/second", reference: "v1")?.digest == image.digest)
        #expect(client.knownLocations(of: layer) == ["team/second", "team/first"])
    }

    enum Staleness: String, CaseIterable, CustomTestStringConvertible {
        case blobDeleted = "the blob deleted from the remembered repository"
        case repositoryRemoved = "the remembered repository removed from storage"
        var testDescription: String { rawValue }
    }

    @Test(
        "a stale cached location costs one declined mount, then the blob is uploaded and the copy succeeds",
        .requires(.dockerRegistry), arguments: Staleness.allCases)
    func staleLocationFallsBack(staleness: Staleness) async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let (sourcePath, cache) = (Self.temporary("stale-src"), Self.temporary("stale-cache"))
        defer { for path in [sourcePath, cache] { try? FileManager.default.removeItem(atPath: path) } }
        let (layout, image, layer) = try await Self.bigImage(at: sourcePath)
        let client = Self.client(server, cache: cache)
        try await ImageCopier(source: layout, destination: client).copy("", reference: "v1", to: "gone/app", tags: ["v1"])
        switch staleness {
        case .blobDeleted:
            for blob in try image.manifest().blobs {
                _ = try await client.expect(
                    [202], "DELETE", client.blobURL("gone/app", blob.digest), scopes: ["repository:gone/app:*"])
            }
        case .repositoryRemoved:
            try FileManager.default.removeItem(
                at: server.directory.appendingPathComponent("data/docker/registry/v2/repositories/gone"))
        }
        let before = Self.logged(server).count
        let events = EventRecorder()
        let copied = try await ImageCopier(source: layout, destination: client, onEvent: { events.add($0) })
            .copy("", reference: "v1", to: "fresh/app", tags: ["v1"])
        #expect(copied.digest == image.digest)
        #expect(events.copied == 2 && events.mounted == 0)
        let requests = Self.logged(server).dropFirst(before)
        #expect(requests.filter { $0.contains("from=gone/app") && $0.contains("\" 202 ") }.count == 2, "\(Array(requests))")
        #expect(client.knownLocations(of: layer) == ["fresh/app"])
        let original = try #require(FileManager.default.contents(atPath: "\(sourcePath)/blobs/sha256/\(layer.hex)"))
        #expect(try await client.fetchBlob("fresh/app", digest: layer) == original)
    }

    @Test(
        "a layer whose bytes don't match its digest fails the copy in each direction and leaves no tag and no blob",
        .requires(.dockerRegistry))
    func digestMismatchFailsClosed() async throws {
        let lab = try await TwoRegistries()
        defer { lab.stop() }
        let (first, second, sourcePath, backPath) = (lab.first, lab.second, lab.sourcePath, lab.backPath)
        let (layout, layer, a, b) = (lab.layout, lab.layer, lab.a, lab.b)
        try await ImageCopier(source: layout, destination: a).copy("", reference: "v1", to: "ok/app", tags: ["v1"])

        // One byte flipped in the middle of the layer, in the layout and in the first registry's storage.
        for file in ["\(sourcePath)/blobs/sha256/\(layer.hex)", Self.storedBlob(first, layer)] {
            var bytes = try #require(FileManager.default.contents(atPath: file))
            bytes[bytes.startIndex + Self.layerSize / 2] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: file))
        }

        // layout → registry
        let upload = await #expect(throws: ImageStoreError.self) {
            try await ImageCopier(source: layout, destination: b).copy("", reference: "v1", to: "bad/app", tags: ["v1"])
        }
        #expect(upload?.kind == .invalid, "\(String(describing: upload))")
        #expect(try await b.resolve("bad/app", reference: "v1") == nil)
        #expect(try await b.blobExists("bad/app", digest: layer) == false)
        #expect(!FileManager.default.fileExists(atPath: Self.storedBlob(second, layer)))

        // registry → registry
        let across = await #expect(throws: ImageStoreError.self) {
            try await ImageCopier(source: a, destination: b).copy("ok/app", reference: "v1", to: "bad/across", tags: ["v1"])
        }
        #expect(across?.kind == .invalid, "\(String(describing: across))")
        #expect(try await b.resolve("bad/across", reference: "v1") == nil)
        #expect(!FileManager.default.fileExists(atPath: Self.storedBlob(second, layer)))

        // registry → layout
        let back = try OCILayoutStore(path: backPath)
        let download = await #expect(throws: ImageStoreError.self) {
            try await ImageCopier(source: a, destination: back).copy("ok/app", reference: "v1", to: "", tags: ["v1"])
        }
        #expect(download?.kind == .invalid, "\(String(describing: download))")
        #expect(try await back.listTags("").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(backPath)/blobs/sha256/\(layer.hex)"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: backPath).filter {
            $0.hasPrefix(OCILayoutStore.temporaryPrefix)
        }
        #expect(leftovers.isEmpty)
    }
}
