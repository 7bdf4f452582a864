import BerthCore
import Foundation

/// Finds and reads the Dockerfile a command works on: the path given, else Dockerfile or Containerfile
/// in the working directory.
struct DockerfileLocation {
    let path: String
    let text: String

    init(_ given: String?) throws {
        let cwd = FileManager.default.currentDirectoryPath
        let candidates = given.map { [$0.hasPrefix("/") ? $0 : "\(cwd)/\($0)"] } ?? ["\(cwd)/Dockerfile", "\(cwd)/Containerfile"]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw BerthError(
                .usage, "no \(given.map { "'\($0)'" } ?? "Dockerfile or Containerfile") here; pass the path to your Dockerfile")
        }
        guard let data = FileManager.default.contents(atPath: found) else {
            throw BerthError(.failure, "can't read '\(found)'; check its permissions")
        }
        path = found
        text = String(decoding: data, as: UTF8.self)
    }

    var directory: String { URL(fileURLWithPath: path).deletingLastPathComponent().path }

    func parse() throws -> Dockerfile { try Dockerfile(parsing: text, file: URL(fileURLWithPath: path).lastPathComponent) }
}
