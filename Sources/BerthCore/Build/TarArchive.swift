/// A tar archive (POSIX ustar) whose bytes depend only on the files' paths, contents and executable bits.
///
/// Entries are sorted by path, parent directories are added, owners are uid/gid 0 with no user or group
/// names, modes are fixed (0755 for directories and executables, 0644 otherwise) and every mtime is
/// the one given (SOURCE_DATE_EPOCH or the commit time). No atime, ctime or PAX records are written.
public struct TarArchive: Sendable {
    /// A file to put in the archive.
    public struct File: Sendable, Equatable {
        /// Path inside the image, relative (`app/server`); no leading slash, `..` or empty parts.
        public var path: String
        public var contents: [UInt8]
        public var executable: Bool

        public init(path: String, contents: [UInt8], executable: Bool) {
            self.path = path
            self.contents = contents
            self.executable = executable
        }
    }

    /// Why an archive can't be written.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidPath(String)
        case pathTooLong(String)
        case duplicatePath(String)

        public var description: String {
            switch self {
            case .invalidPath(let path): "'\(path)' can't be a path in a layer: use a relative path without '..' or empty parts"
            case .pathTooLong(let path): "'\(path)' is too long for a ustar entry (name 100, prefix 155 bytes): shorten it"
            case .duplicatePath(let path): "'\(path)' is listed twice in one layer"
            }
        }
    }

    public let files: [File]
    public let modificationTime: Int64

    public init(files: [File], modificationTime: Int64) {
        self.files = files
        self.modificationTime = modificationTime
    }

    /// The archive's bytes: entries sorted by path, two zero blocks at the end.
    public func bytes() throws(Problem) -> [UInt8] {
        var directories = Set<String>()
        var entries: [(path: String, file: File?)] = []
        var seen = Set<String>()
        for file in files {
            let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.path.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }) else {
                throw .invalidPath(file.path)
            }
            guard seen.insert(file.path).inserted else { throw .duplicatePath(file.path) }
            for depth in 1..<parts.count { directories.insert(parts[0..<depth].joined(separator: "/") + "/") }
            entries.append((file.path, file))
        }
        for directory in directories where !seen.contains(String(directory.dropLast())) { entries.append((directory, nil)) }
        // Byte order, so the order never depends on locale or on how the files were found.
        entries.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }

        var out: [UInt8] = []
        out.reserveCapacity(files.reduce(1024) { $0 + 512 + ($1.contents.count + 511) / 512 * 512 + 512 })
        for entry in entries {
            out += try header(path: entry.path, file: entry.file)
            if let contents = entry.file?.contents {
                out += contents
                out += [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
            }
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }

    private func header(path: String, file: File?) throws(Problem) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        let (prefix, name) = try split(path)
        func put(_ text: [UInt8], at offset: Int) {
            for (index, byte) in text.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(name, at: 0)
        put(octal(file == nil || file!.executable ? 0o755 : 0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(Int64(file?.contents.count ?? 0), width: 12), at: 124)
        put(octal(modificationTime, width: 12), at: 136)
        put(Array("        ".utf8), at: 148)
        block[156] = file == nil ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0] + Array("00".utf8), at: 257)
        put(octal(0, width: 8), at: 329)
        put(octal(0, width: 8), at: 337)
        put(prefix, at: 345)
        let checksum = block.reduce(0) { $0 + Int64($1) }
        put(octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return block
    }

    /// Splits a path into ustar's prefix and name fields.
    private func split(_ path: String) throws(Problem) -> (prefix: [UInt8], name: [UInt8]) {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ([], bytes) }
        // The prefix ends at a slash; the name after it must fit in 100 bytes.
        let trailing = path.hasSuffix("/") ? 1 : 0
        for index in stride(from: min(bytes.count - 1 - trailing, 155), through: 1, by: -1)
        where bytes[index] == UInt8(ascii: "/") {
            if bytes.count - index - 1 <= 100 { return (Array(bytes[0..<index]), Array(bytes[(index + 1)...])) }
        }
        throw .pathTooLong(path)
    }
}
