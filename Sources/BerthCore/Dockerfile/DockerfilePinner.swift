import BerthOCI

/// Rewrites `FROM image:tag` lines to `FROM image:tag@sha256:…`, keeping flags, stage names and every
/// other line byte for byte.
public enum DockerfilePinner {
    /// A base image that needs pinning, with its line.
    public struct Unpinned: Sendable, Equatable {
        public let line: Int
        public let image: String
        public let reference: ImageReference
    }

    /// The FROM lines that name a registry image without a digest (stages, scratch and variables aside).
    public static func unpinned(_ dockerfile: Dockerfile) throws(BerthError) -> [Unpinned] {
        var names = Set<String>()
        var result: [Unpinned] = []
        for stage in dockerfile.stages {
            defer { if let name = stage.name { names.insert(name.lowercased()) } }
            guard !names.contains(stage.image.lowercased()), stage.image != "scratch", !stage.image.contains("$") else {
                continue
            }
            let reference: ImageReference
            do { reference = try ImageReference(parsing: stage.image) } catch {
                throw BerthError(.badInput, "Dockerfile:\(stage.line): \(error.description)")
            }
            if reference.digest == nil { result.append(Unpinned(line: stage.line, image: stage.image, reference: reference)) }
        }
        return result
    }

    /// The Dockerfile text with each image of `digests` (by line) pinned.
    public static func pin(_ dockerfile: Dockerfile, digests: [Int: (image: String, digest: Digest)]) -> String {
        var lines = dockerfile.lines
        for (line, pin) in digests {
            let original = lines[line - 1]
            guard let range = original.range(of: pin.image) else { continue }
            let tagged =
                pin.image.contains(":") && !pin.image.hasSuffix(":") && pin.image.split(separator: "/").last!.contains(":")
                ? pin.image : pin.image + ":latest"
            lines[line - 1] = original.replacingCharacters(in: range, with: "\(tagged)@\(pin.digest)")
        }
        return lines.joined(separator: "\n")
    }
}
