import BerthCore
import BerthOCI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`): berth's embedded
/// store, and the format skopeo and umoci read and write.
///
/// Tags are index.json entries annotated with `org.opencontainers.image.ref.name`. Every write goes to a
/// temporary file first and is renamed into place, so a crash never leaves a half-written blob or index.
/// A layout holds one repository: repository arguments are ignored.
public final class OCILayoutStore: GarbageCollecting, Sendable {
    public let path: String
    /// Guards no field: it makes index.json read-modify-writes in this process take turns.
    private let lock = Locked(())
    private let files = FileManager.default

    public var displayName: String { "oci:\(path)" }

    /// Opens the layout at `path`, creating an empty one when `create` and nothing is there.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        let layoutFile = "\(path)/oci-layout"
        if !files.fileExists(atPath: layoutFile) {
            guard create else {
                throw ImageStoreError(.notFound, "'\(path)' is not an OCI image layout (no oci-layout file); check the oci: path")
            }
            try files.createDirectory(atPath: "\(path)/blobs/sha256", withIntermediateDirectories: true)
            try atomicWrite(Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: layoutFile)
            try writeIndex(ImageIndex(manifests: []))
        }
    }

    // MARK: index.json

    func readIndex() throws -> ImageIndex {
        let file = "\(path)/index.json"
        guard let data = files.contents(atPath: file) else { return ImageIndex(manifests: []) }
        do { return try JSONDecoder().decode(ImageIndex.self, from: data) } catch {
            throw ImageStoreError(.invalid, "'\(file)' is not a valid OCI index: \(error); repair or remove the layout")
        }
    }

    func writeIndex(_ index: ImageIndex) throws {
        try atomicWrite(try CanonicalJSON.encode(index), to: "\(path)/index.json")
    }

    /// Read-modify-write of index.json under the lock: an in-process lock for concurrent tasks, and an
    /// flock(2) on the `oci-layout` file for other processes (two `berth registry tag` runs at once).
    func updateIndex(_ change: (inout ImageIndex) throws -> Void) throws {
        try exclusively {
            var index = try readIndex()
            try change(&index)
            try writeIndex(index)
        }
    }

    func exclusively<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock { _ in
            let fd = open("\(path)/oci-layout", O_RDONLY)
            guard fd >= 0 else {
                throw ImageStoreError(
                    .unavailable, "can't open '\(path)/oci-layout' to lock the layout: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw ImageStoreError(.unavailable, "can't lock '\(path)': \(String(cString: strerror(errno)))")
                }
            }
            defer { flock(fd, LOCK_UN) }
            return try body()
        }
    }

    func atomicWrite(_ data: Data, to file: String) throws {
        let temp = "\(file).tmp-\(UUID().uuidString)"
        guard files.createFile(atPath: temp, contents: data) else {
            throw ImageStoreError(.unavailable, "can't write '\(temp)'; check permissions and free space")
        }
        if rename(temp, file) != 0 {
            try? files.removeItem(atPath: temp)
            throw ImageStoreError(.unavailable, "can't move '\(temp)' into place: \(String(cString: strerror(errno)))")
        }
    }

    func blobPath(_ digest: Digest) -> String { "\(path)/blobs/\(digest.algorithm)/\(digest.hex)" }

    func readBlob(_ digest: Digest) throws -> Data {
        guard let data = files.contents(atPath: blobPath(digest)) else {
            throw ImageStoreError(.notFound, "blob \(digest) is not in \(displayName)")
        }
        guard digest.matches(data) else {
            throw ImageStoreError(
                .invalid, "blob \(digest) in \(displayName) is corrupt (its bytes hash to \(digest.computed(for: data)))")
        }
        return data
    }

    func writeBlob(_ digest: Digest, _ data: Data) throws {
        guard digest.matches(data) else {
            throw ImageStoreError(.invalid, "refusing blob: its bytes hash to \(digest.computed(for: data)), not \(digest)")
        }
        if files.fileExists(atPath: blobPath(digest)) { return }
        try files.createDirectory(atPath: "\(path)/blobs/\(digest.algorithm)", withIntermediateDirectories: true)
        try atomicWrite(data, to: blobPath(digest))
    }

    // MARK: ImageStore

    public func listTags(_ repository: String) async throws -> [String] {
        try readIndex().manifests.compactMap { $0.annotations?[AnnotationKey.refName] }
    }

    public func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        let index = try readIndex()
        if let digest = Digest(reference) {
            if let entry = index.manifests.first(where: { $0.digest == digest }) { return plain(entry) }
            guard files.fileExists(atPath: blobPath(digest)) else { return nil }
            return try ManifestDocument(bytes: try readBlob(digest)).descriptor
        }
        return index.manifests.last { $0.annotations?[AnnotationKey.refName] == reference }.map(plain)
    }

    /// A descriptor without layout bookkeeping (the ref.name annotation).
    func plain(_ entry: Descriptor) -> Descriptor {
        Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size, platform: entry.platform)
    }

    public func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        guard let descriptor = try await resolve(repository, reference: reference) else {
            throw ImageStoreError(
                .notFound, "\(displayName) has no manifest '\(reference)'; list its tags with berth registry ls \(displayName)")
        }
        return try ManifestDocument(bytes: try readBlob(descriptor.digest), mediaType: descriptor.mediaType)
    }

    public func fetchBlob(_ repository: String, digest: Digest) async throws -> Data { try readBlob(digest) }

    public func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        files.fileExists(atPath: blobPath(digest))
    }

    public func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        try writeBlob(digest, data)
    }

    public func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try writeBlob(manifest.digest, manifest.bytes)
        // By digest the manifest is only stored (an index's child); a tag makes it an index.json entry.
        guard Digest(reference) == nil else { return }
        try updateIndex { index in
            index.manifests.removeAll { $0.annotations?[AnnotationKey.refName] == reference }
            var entry = manifest.descriptor
            entry.annotations = [AnnotationKey.refName: reference]
            index.manifests.append(entry)
        }
    }

    public func deleteManifest(_ repository: String, digest: Digest) async throws {
        var found = false
        try updateIndex { index in
            found = index.manifests.contains { $0.digest == digest }
            index.manifests.removeAll { $0.digest == digest }
        }
        guard found || files.fileExists(atPath: blobPath(digest)) else {
            throw ImageStoreError(.notFound, "\(displayName) has no manifest \(digest)")
        }
        if try !referencedDigests().contains(digest) { try? files.removeItem(atPath: blobPath(digest)) }
    }

    public func deleteTag(_ repository: String, tag: String) async throws {
        var found = false
        try updateIndex { index in
            found = index.manifests.contains { $0.annotations?[AnnotationKey.refName] == tag }
            index.manifests.removeAll { $0.annotations?[AnnotationKey.refName] == tag }
        }
        guard found else { throw ImageStoreError(.notFound, "\(displayName) has no tag '\(tag)'") }
    }

    // MARK: garbage collection

    /// Every digest reachable from index.json: entries, their children, config and layers.
    func referencedDigests() throws -> Set<Digest> {
        var seen = Set<Digest>()
        var queue = try readIndex().manifests
        while let next = queue.popLast() {
            guard seen.insert(next.digest).inserted else { continue }
            guard MediaType.isIndex(next.mediaType) || MediaType.isManifest(next.mediaType),
                let data = files.contents(atPath: blobPath(next.digest)),
                let document = try? ManifestDocument(bytes: data, mediaType: next.mediaType)
            else { continue }
            if document.isIndex {
                queue += (try? document.index().manifests) ?? []
            } else if let manifest = try? document.manifest() {
                queue += manifest.blobs
                if let subject = manifest.subject { seen.insert(subject.digest) }
            }
        }
        return seen
    }

    /// Deletes every blob that index.json doesn't reach; returns what was removed (bytes freed).
    @discardableResult
    public func garbageCollect() throws -> (blobs: Int, bytes: Int64) {
        try exclusively {
            let keep = try referencedDigests()
            var removed = 0
            var bytes: Int64 = 0
            for algorithm in (try? files.contentsOfDirectory(atPath: "\(path)/blobs")) ?? [] {
                for hex in (try? files.contentsOfDirectory(atPath: "\(path)/blobs/\(algorithm)")) ?? [] {
                    guard let digest = Digest("\(algorithm):\(hex)"), !keep.contains(digest) else { continue }
                    let file = blobPath(digest)
                    let size = (try? files.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
                    try files.removeItem(atPath: file)
                    removed += 1
                    bytes += size ?? 0
                }
            }
            return (removed, bytes)
        }
    }
}

extension OCILayoutStore: BlobStreaming {
    /// Reads the blob file in 1 MiB chunks; the last read throws when the bytes don't hash to `digest`.
    public func openBlob(_ repository: String, digest: Digest) async throws -> BlobChunks {
        guard let handle = FileHandle(forReadingAtPath: blobPath(digest)) else {
            throw ImageStoreError(.notFound, "blob \(digest) is not in \(displayName)")
        }
        let size = (try? files.attributesOfItem(atPath: blobPath(digest))[.size] as? Int64) ?? nil
        let reader = ChunkedFileReader(handle: handle, digest: digest, name: displayName)
        return BlobChunks(size: size) { try reader.next() }
    }

    /// Writes chunks to a temporary file while hashing, and renames it into place only when the digest
    /// matches.
    public func pushBlob(_ repository: String, digest: Digest, chunks: BlobChunks) async throws {
        if files.fileExists(atPath: blobPath(digest)) {
            while try await chunks.nextChunk() != nil {}
            return
        }
        try files.createDirectory(atPath: "\(path)/blobs/\(digest.algorithm)", withIntermediateDirectories: true)
        let temp = "\(blobPath(digest)).tmp-\(UUID().uuidString)"
        guard files.createFile(atPath: temp, contents: nil), let handle = FileHandle(forWritingAtPath: temp) else {
            throw ImageStoreError(.unavailable, "can't write '\(temp)'; check permissions and free space")
        }
        var hasher = DigestHasher(algorithm: digest.algorithm)
        do {
            while let chunk = try await chunks.nextChunk() {
                hasher.update(chunk)
                try handle.write(contentsOf: chunk)
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? files.removeItem(atPath: temp)
            throw error
        }
        let actual = hasher.finalize()
        guard actual == digest else {
            try? files.removeItem(atPath: temp)
            throw ImageStoreError(.invalid, "refusing blob: its bytes hash to \(actual), not \(digest)")
        }
        if rename(temp, blobPath(digest)) != 0 {
            try? files.removeItem(atPath: temp)
            throw ImageStoreError(.unavailable, "can't move '\(temp)' into place: \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads a file in chunks, hashing as it goes, and fails at the end when the hash is wrong.
final class ChunkedFileReader: Sendable {
    private let handle: FileHandle
    private let digest: Digest
    private let name: String
    /// The hash so far, and whether the end was reached; the handle is read under this lock too.
    private let state: Locked<(hasher: DigestHasher, done: Bool)>

    init(handle: FileHandle, digest: Digest, name: String) {
        self.handle = handle
        self.digest = digest
        self.name = name
        state = Locked((DigestHasher(algorithm: digest.algorithm), false))
    }

    func next() throws -> Data? {
        try state.withLock { state in
            guard !state.done else { return nil }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if !chunk.isEmpty {
                state.hasher.update(chunk)
                return chunk
            }
            state.done = true
            try? handle.close()
            let actual = state.hasher.finalize()
            guard actual == digest else {
                throw ImageStoreError(.invalid, "blob \(digest) in \(name) is corrupt (its bytes hash to \(actual))")
            }
            return nil
        }
    }
}
