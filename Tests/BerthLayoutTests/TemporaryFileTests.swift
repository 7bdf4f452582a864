import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// A one-shot latch: `wait` returns once `open` has been called.
actor Latch {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// A blob handed over in two chunks, stopping between them until the test says go: a writer caught mid-write.
final class PausedBlob: Sendable {
    let data = Data((0..<4096).map { UInt8($0 % 251) })
    let started = Latch()
    let resume = Latch()
    private let handed = Locked(0)

    var digest: Digest { .sha256(of: data) }

    var chunks: BlobChunks {
        BlobChunks(size: Int64(data.count)) { [self] in
            let call = handed.withLock { count in
                count += 1
                return count
            }
            switch call {
            case 1:
                await started.open()
                return data.prefix(1000)
            case 2:
                await resume.wait()
                return data.dropFirst(1000)
            default: return nil
            }
        }
    }
}

@Suite("OCI layout temporary files: a killed writer's are removed, a live writer's kept")
struct TemporaryFileTests {
    static func temporaryFiles(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix(OCILayoutStore.temporaryPrefix) }
    }

    /// What a writer killed mid-write leaves: a partly written temporary file that nobody holds (the kernel
    /// drops a dead process's flock).
    static func abandon(in path: String) throws -> String {
        let file = "\(path)/\(OCILayoutStore.temporaryPrefix)\(UUID().uuidString)"
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: file))
        return file
    }

    @Test("garbage collection removes a temporary file a killed writer left, and keeps the images")
    func collected() async throws {
        let path = temporaryDirectory("tmp-gc")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let image = try await TestImages.push(into: store, repository: "", tag: "v1", seed: "tmp-gc")
        let stale = try Self.abandon(in: path)
        #expect(try Self.temporaryFiles(path).count == 1)
        let (blobs, _) = try store.garbageCollect()
        #expect(blobs == 0)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(try Self.temporaryFiles(path).isEmpty)
        #expect(try await store.fetchManifest("", reference: "v1").digest == image.digest)
    }

    @Test("opening the layout again removes a killed writer's temporary file")
    func removedOnOpen() async throws {
        let path = temporaryDirectory("tmp-open")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try OCILayoutStore(path: path)
        let stale = try Self.abandon(in: path)
        let store = try OCILayoutStore(path: path, create: false)
        #expect(!FileManager.default.fileExists(atPath: stale))
        _ = try await TestImages.push(into: store, repository: "", tag: "v1", seed: "tmp-open")
        #expect(try Self.temporaryFiles(path).isEmpty)
    }

    @Test("a live writer's temporary file survives garbage collection and another opener; its blob then lands whole")
    func liveWriterKept() async throws {
        let path = temporaryDirectory("tmp-live")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let stale = try Self.abandon(in: path)
        let blob = PausedBlob()
        let push = Task { try await store.pushBlob("", digest: blob.digest, chunks: blob.chunks) }
        await blob.started.wait()
        let inFlight = try Self.temporaryFiles(path).filter { "\(path)/\($0)" != stale }
        #expect(inFlight.count == 1, "the writer's temporary file is in the layout's top directory")

        // Another store on the same directory takes its own locks, as another process would.
        let other = try OCILayoutStore(path: path, create: false)
        _ = try other.garbageCollect()
        _ = try store.garbageCollect()
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(try Self.temporaryFiles(path) == inFlight)

        await blob.resume.open()
        try await push.value
        #expect(try await store.fetchBlob("", digest: blob.digest) == blob.data)
        #expect(try Self.temporaryFiles(path).isEmpty)
    }

    @Test("writers racing sweeps all land their blobs")
    func racingSweeps() async throws {
        let path = temporaryDirectory("tmp-race")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let blobs = (0..<32).map { Data("blob \($0) ".utf8 + Data(repeating: UInt8($0), count: 2048)) }
        let sweeping = Locked(true)
        let sweeper = Task.detached {
            let sweeper = try OCILayoutStore(path: path, create: false)
            while sweeping.current { sweeper.removeAbandonedTemporaryFiles() }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for data in blobs {
                group.addTask { try await store.pushBlob("", digest: .sha256(of: data), data: data) }
            }
            try await group.waitForAll()
        }
        sweeping.withLock { $0 = false }
        try await sweeper.value
        for data in blobs { #expect(try await store.fetchBlob("", digest: .sha256(of: data)) == data) }
        #expect(try Self.temporaryFiles(path).isEmpty)
    }

    @Test("an earlier berth's '<blob>.tmp-<UUID>' is collected once a day old, not before")
    func legacyTemporaryFiles() throws {
        let path = temporaryDirectory("tmp-legacy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try OCILayoutStore(path: path)
        let old = "\(path)/blobs/sha256/\(String(repeating: "a", count: 64)).tmp-\(UUID().uuidString)"
        let fresh = "\(path)/blobs/sha256/\(String(repeating: "b", count: 64)).tmp-\(UUID().uuidString)"
        let oldIndex = "\(path)/index.json.tmp-\(UUID().uuidString)"
        for file in [old, fresh, oldIndex] { try Data("partial".utf8).write(to: URL(fileURLWithPath: file)) }
        for file in [old, oldIndex] {
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-2 * 24 * 60 * 60)], ofItemAtPath: file)
        }
        _ = try store.garbageCollect()
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(!FileManager.default.fileExists(atPath: oldIndex))
        #expect(FileManager.default.fileExists(atPath: fresh))
    }
}
