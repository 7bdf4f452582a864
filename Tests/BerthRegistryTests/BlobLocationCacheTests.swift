import BerthCore
import BerthOCI
import Foundation
import Testing

@testable import BerthRegistry

@Suite("blob-location cache and streamed uploads")
struct BlobLocationCacheTests {
    static let digest = Digest.sha256(of: Data("layer".utf8))

    static func root() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("blob-cache-\(UUID().uuidString)").path
    }

    @Test("newest first, at most four per digest, forgotten one by one, the file gone with the last")
    func rememberAndForget() throws {
        let root = Self.root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = BlobLocationCache(root: root, host: "127.0.0.1:5000")
        for repository in ["a/one", "a/two", "a/three", "a/four", "a/five"] { cache.remember(Self.digest, in: repository) }
        #expect(cache.repositories(holding: Self.digest) == ["a/five", "a/four", "a/three", "a/two"])
        cache.remember(Self.digest, in: "a/three")
        #expect(cache.repositories(holding: Self.digest) == ["a/three", "a/five", "a/four", "a/two"])
        cache.forget(Self.digest, in: "a/five")
        #expect(cache.repositories(holding: Self.digest) == ["a/three", "a/four", "a/two"])
        for repository in ["a/three", "a/four", "a/two"] { cache.forget(Self.digest, in: repository) }
        #expect(cache.repositories(holding: Self.digest).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cache.file(Self.digest)))
        // Another process sees what this one wrote: it is all on disk.
        cache.remember(Self.digest, in: "b/app")
        #expect(BlobLocationCache(root: root, host: "127.0.0.1:5000").repositories(holding: Self.digest) == ["b/app"])
        #expect(BlobLocationCache(root: root, host: "127.0.0.1:5001").repositories(holding: Self.digest).isEmpty)
    }

    @Test("lines that aren't repository names are never used, and entries past 30 days are neither used nor kept")
    func untrustedAndStaleEntries() throws {
        let root = Self.root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = BlobLocationCache(root: root, host: "[::1]:5000")
        cache.remember(Self.digest, in: "ok/app")
        let file = cache.file(Self.digest)
        try Data("../../etc\nUPPER/case\nok/app\nx?mount=1\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(cache.repositories(holding: Self.digest) == ["ok/app"])

        let old = Date().addingTimeInterval(-31 * 24 * 3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file)
        #expect(cache.repositories(holding: Self.digest).isEmpty)
        // The first write of a process, a day after the last sweep, removes it.
        let yesterday = Date().addingTimeInterval(-25 * 3600)
        try FileManager.default.setAttributes([.modificationDate: yesterday], ofItemAtPath: "\(cache.directory)/.swept")
        BlobLocationCache(root: root, host: "[::1]:5000").remember(.sha256(of: Data("other".utf8)), in: "ok/app")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("the cache root: BERTH_BLOB_CACHE, off, XDG_CACHE_HOME, HOME, or none")
    func root() {
        #expect(BlobLocationCache.root(environment: ["BERTH_BLOB_CACHE": "/c", "HOME": "/h"]) == "/c")
        #expect(BlobLocationCache.root(environment: ["BERTH_BLOB_CACHE": "off", "HOME": "/h"]) == nil)
        #expect(BlobLocationCache.root(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/berth/blob-locations")
        #if os(Linux)
            #expect(BlobLocationCache.root(environment: ["HOME": "/h"]) == "/h/.cache/berth/blob-locations")
        #endif
        #expect(BlobLocationCache.root(environment: [:]) == nil)
        #expect(BlobLocationCache(root: "/c", host: "[::1]:5000").directory == "/c/%5B%3A%3A1%5D%3A5000")
    }

    @Test("a cache that can't be written costs nothing but the hint")
    func unwritable() {
        let cache = BlobLocationCache(root: "/proc/berth-no-such-cache", host: "registry.example")
        cache.remember(Self.digest, in: "a/b")
        cache.forget(Self.digest, in: "a/b")
        #expect(cache.repositories(holding: Self.digest).isEmpty)
    }

    @Test("BERTH_REGISTRY_CHUNK_SIZE: units, bare bytes, unset; anything else names the variable")
    func chunkSizeVariable() throws {
        let size = { (text: String) in try RegistryClient.chunkSize(environment: ["BERTH_REGISTRY_CHUNK_SIZE": text]) }
        #expect(try size("8MiB") == 8 << 20 && size("512K") == 512 << 10 && size("1GiB") == 1 << 30 && size("4096") == 4096)
        #expect(try RegistryClient.chunkSize(environment: [:]) == nil)
        for bad in ["0", "-1MiB", "8 MB", "lots", "5GiB"] {
            let error = #expect(throws: ImageStoreError.self) { try size(bad) }
            #expect(error?.message.contains("BERTH_REGISTRY_CHUNK_SIZE='\(bad)'") == true)
        }
    }

    /// Hands out `chunks` in turn, then nil.
    static func source(_ chunks: [Data]) -> BlobChunks {
        let remaining = Locked(chunks)
        return BlobChunks(size: Int64(chunks.reduce(0) { $0 + $1.count })) {
            remaining.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }
    }

    @Test("an upload's last chunk is held back until the bytes hash to the digest; a wrong blob never sends it")
    func heldBackLastChunk() async throws {
        let good = [Data("first ".utf8), Data("second ".utf8), Data("third".utf8)]
        let digest = Digest.sha256(of: good.reduce(Data(), +))
        let body = VerifiedUploadBody(digest: digest, size: 18, source: Self.source(good))
        var sent: [Data] = []
        while let chunk = try await body.next() { sent.append(chunk) }
        #expect(sent == good)

        let wrong = [Data("first ".utf8), Data("second ".utf8), Data("thirD".utf8)]
        let refusing = VerifiedUploadBody(digest: digest, size: 18, source: Self.source(wrong))
        #expect(try await refusing.next() == good[0])
        #expect(try await refusing.next() == good[1])
        let error = await #expect(throws: ImageStoreError.self) { _ = try await refusing.next() }
        #expect(error?.kind == .invalid && error?.message.contains("hash to") == true)

        // More bytes than the size: refused before any goes out ("first " is held, "second " overflows).
        let long = VerifiedUploadBody(digest: digest, size: 12, source: Self.source(good))
        await #expect(throws: ImageStoreError.self) { _ = try await long.next() }
    }

    @Test("a blob of known size is a POST and one PUT with every byte and the digest; no PATCH")
    func streamedPutRequests() async throws {
        let blob = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let digest = Digest.sha256(of: blob)
        let transport = ScriptedTransport { request in
            switch request.method {
            case "POST": return HTTPResponse(status: 202, headers: [("Location", "/v2/a/blobs/uploads/s1?_state=x")])
            case "PUT":
                #expect(request.body == blob)
                #expect(request.url.query?.contains("digest=\(digest)") == true)
                return HTTPResponse(status: 201)
            default: return HTTPResponse(status: 500)
            }
        }
        let client = RegistryClient(host: "registry.example", transport: transport)
        try await client.pushBlob("a", digest: digest, chunks: Self.source([blob.prefix(1000), blob.dropFirst(1000)]))
        #expect(
            transport.lines == [
                "POST registry.example/v2/a/blobs/uploads",
                "PUT registry.example/v2/a/blobs/uploads/s1?_state=x&digest=\(digest)",
            ])
    }
}
