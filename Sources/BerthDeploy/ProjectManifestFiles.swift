import BerthCore
import Foundation

/// Deploy manifests as files under the project's directory; writes are atomic (a temp file renamed
/// over the original), so a crash leaves the old text or the new, never half of it.
public struct ProjectManifestFiles: ManifestFiles {
    public let root: String

    public init(root: String) { self.root = root }

    public func read(_ path: String) throws -> String? {
        FileManager.default.contents(atPath: location(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    public func write(_ path: String, text: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: location(path)), options: .atomic) } catch {
            throw BerthError(.failure, "can't write deploy manifest '\(path)': \(error.localizedDescription)")
        }
    }

    func location(_ path: String) -> String { path.hasPrefix("/") ? path : "\(root)/\(path)" }
}
