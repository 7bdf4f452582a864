import BerthCore
import Foundation

extension GitRepository: SourceTree {
    /// `git ls-files -z`: the index's paths relative to `directory` (only those under it), NUL-separated
    /// so a name with a newline or quote arrives as it is.
    public func trackedFiles() throws -> [String] {
        try run(["ls-files", "-z", "--"]).stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    public func workingTreeContents(of path: String) throws -> Data? {
        let full = (directory as NSString).appendingPathComponent(path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else { return nil }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw BerthError(.failure, "can't read '\(full)', which git tracks: check its permissions")
        }
        return data
    }
}
