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
/// Temporary files live in the layout's top directory as `.berth-tmp-<UUID>`, each flock(2)ed by its
/// writer while it writes: one nobody holds was left by a writer that died, and opening the layout or
/// collecting garbage removes it. A layout holds one repository: repository arguments are ignored.
public final class OCILayoutStore: GarbageCollecting, Sendable {
    public let path: String
    /// Guards no field: it makes index.json read-modify-writes in this process take turns.
    private let lock = Locked(())
    private let files = FileManager.default

    public var displayName: String { "oci:\(path)" }

    /// The name every temporary file starts with; they are all directly under `path`.
    public static let temporaryPrefix = ".berth-tmp-"

    /// Opens the layout at `path`, creating an empty one when `create` and nothing is there. Temporary
    /// files a killed writer left behind are removed (one directory listing when there are none).
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
        } else {
            removeAbandonedTemporaryFiles()
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
        let temp = try TemporaryFile(in: path)
        do {
            try temp.handle.write(contentsOf: data)
        } catch {
            temp.discard()
            throw ImageStoreError(.unavailable, "can't write '\(temp.path)': \(error); check permissions and free space")
        }
        try temp.move(to: file)
    }

    // MARK: temporary files

    /// A temporary file under the layout, flock(2)ed from creation until it is renamed into place or
    /// removed, so `removeAbandonedTemporaryFiles` (in this process or another) knows its writer is alive.
    final class TemporaryFile {
        let path: String
        let handle: FileHandle

        init(in directory: String) throws {
            while true {
                let path = "\(directory)/\(OCILayoutStore.temporaryPrefix)\(UUID().uuidString)"
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                guard fd >= 0 else {
                    throw ImageStoreError(
                        .unavailable,
                        "can't create '\(path)': \(String(cString: strerror(errno))); check permissions and free space")
                }
                while flock(fd, LOCK_EX) != 0 {
                    guard errno == EINTR else {
                        let reason = String(cString: strerror(errno))
                        unlink(path)
                        close(fd)
                        throw ImageStoreError(.unavailable, "can't lock '\(path)': \(reason)")
                    }
                }
                // A sweep that locked the new file before this writer did has removed it (it unlinks before it
                // unlocks): start again under another name.
                var status = stat()
                if fstat(fd, &status) == 0, status.st_nlink > 0 {
                    self.path = path
                    handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
                    return
                }
                close(fd)
            }
        }

        /// Renames the file to `destination` while still holding the lock, then releases it.
        func move(to destination: String) throws {
            defer { try? handle.close() }
            if rename(path, destination) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw ImageStoreError(.unavailable, "can't move '\(path)' into place: \(reason)")
            }
        }

        /// Removes the file (a failed or refused write), then releases the lock.
        func discard() {
            unlink(path)
            try? handle.close()
        }
    }

    /// Removes the temporary files no live writer holds: a writer killed mid-write (SIGKILL, a crash, a
    /// power cut) never renamed or removed its own. Returns how many it removed; never throws, as what it
    /// can't remove (a read-only layout) does no harm.
    @discardableResult
    public func removeAbandonedTemporaryFiles() -> Int {
        var removed = 0
        for name in (try? files.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix(Self.temporaryPrefix) {
            let file = "\(path)/\(name)"
            let fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            // Held: a writer is still at work, in this process or another.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            // Only the file that was locked: the name may have been renamed into place since it was opened.
            var opened = stat()
            var current = stat()
            guard fstat(fd, &opened) == 0, lstat(file, &current) == 0, opened.st_dev == current.st_dev,
                opened.st_ino == current.st_ino
            else { continue }
            if unlink(file) == 0 { removed += 1 }
        }
        return removed
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

    /// How old a temporary file of an earlier berth (`<file>.tmp-<UUID>` next to its target, with no
    /// lock to tell a live writer) must be before garbage collection takes it for abandoned.
    static let legacyTemporaryAge: TimeInterval = 24 * 60 * 60

    /// Deletes every blob that index.json doesn't reach and every abandoned temporary file; returns the
    /// blobs removed (bytes freed).
    @discardableResult
    public func garbageCollect() throws -> (blobs: Int, bytes: Int64) {
        try exclusively {
            removeAbandonedTemporaryFiles()
            let keep = try referencedDigests()
            var removed = 0
            var bytes: Int64 = 0
            for algorithm in (try? files.contentsOfDirectory(atPath: "\(path)/blobs")) ?? [] {
                for hex in (try? files.contentsOfDirectory(atPath: "\(path)/blobs/\(algorithm)")) ?? [] {
                    if hex.contains(".tmp-") {
                        removeIfOld("\(path)/blobs/\(algorithm)/\(hex)")
                        continue
                    }
                    guard let digest = Digest("\(algorithm):\(hex)"), !keep.contains(digest) else { continue }
                    let file = blobPath(digest)
                    let size = (try? files.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
                    try files.removeItem(atPath: file)
                    removed += 1
                    bytes += size
                }
            }
            for name in (try? files.contentsOfDirectory(atPath: path)) ?? [] where name.contains(".tmp-") {
                removeIfOld("\(path)/\(name)")
            }
            return (removed, bytes)
        }
    }

    /// Removes an earlier berth's temporary file when it hasn't changed for `legacyTemporaryAge`.
    private func removeIfOld(_ file: String) {
        guard let modified = (try? files.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
            Date().timeIntervalSince(modified) > Self.legacyTemporaryAge
        else { return }
        try? files.removeItem(atPath: file)
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
        let temp = try TemporaryFile(in: path)
        var hasher = DigestHasher(algorithm: digest.algorithm)
        do {
            while let chunk = try await chunks.nextChunk() {
                hasher.update(chunk)
                try temp.handle.write(contentsOf: chunk)
            }
        } catch {
            temp.discard()
            throw error
        }
        let actual = hasher.finalize()
        guard actual == digest else {
            temp.discard()
            throw ImageStoreError(.invalid, "refusing blob: its bytes hash to \(actual), not \(digest)")
        }
        try temp.move(to: blobPath(digest))
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
