import BerthCore
import Foundation

/// Reads a folder into layer files: regular files only, paths relative to the folder, the executable
/// bit kept, everything else (owner, times, other mode bits) dropped so the layer is reproducible.
public enum DataFolder {
    public static func files(at path: String) throws -> [TarArchive.File] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BerthError(.usage, "build.data '\(path)' is not a directory: create it or remove build.data")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [TarArchive.File] = []
        while let relative = enumerator.nextObject() as? String {
            let full = "\(path)/\(relative)"
            let attributes = try FileManager.default.attributesOfItem(atPath: full)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
            guard let contents = FileManager.default.contents(atPath: full) else {
                throw BerthError(.failure, "can't read '\(full)': check its permissions")
            }
            files.append(TarArchive.File(path: relative, contents: [UInt8](contents), executable: permissions & 0o111 != 0))
        }
        return files
    }
}
