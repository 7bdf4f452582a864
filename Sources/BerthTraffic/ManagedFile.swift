import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file berth owns and replaces whole: the new text goes to a temporary file beside it (a name no
/// `*.conf` or `*.yaml` glob matches), is flushed, and is renamed over the old one, so a reader (nginx,
/// a GitOps controller) sees the old text or the new, never half of either.
struct ManagedFile: Sendable {
    let path: String
    /// For messages: `nginx include`, `manifest`.
    let role: String

    /// The text, or nil when there is no file.
    func read() throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BerthError(.failure, "can't read \(role) '\(path)': check its permissions")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Replaces the file with `text` atomically.
    func write(_ text: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).berth-\(UUID().uuidString.prefix(8)).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
                throw BerthError(.failure, "can't create '\(temporary)'")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw BerthError(.failure, String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            let reason = (error as? BerthError)?.message ?? error.localizedDescription
            throw BerthError(
                .failure, "can't write \(role) '\(path)': \(reason); check the directory exists and berth may write it")
        }
    }

    /// Puts `text` back, or removes the file when there was none.
    func restore(_ text: String?) throws {
        if let text {
            try write(text)
        } else if FileManager.default.fileExists(atPath: path) {
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw BerthError(.failure, "can't remove \(role) '\(path)': \(error.localizedDescription)")
            }
        }
    }

    /// `path` as given when absolute, else under `directory`.
    static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Why a file berth owns can't be read as a split (for the error that names the file).
struct Unreadable: Error, Equatable, ExpressibleByStringInterpolation {
    let why: String
    init(stringLiteral value: String) { why = value }
}
