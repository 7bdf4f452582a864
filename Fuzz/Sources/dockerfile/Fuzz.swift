import BerthCore
import BerthOCI
import Foundation

/// Dockerfiles: parsing (continuations, `# escape=`, comments), stages, `berth lint`, and `berth pin`'s
/// search for unpinned bases and its rewrite.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let dockerfile = try? Dockerfile(parsing: text) else { return 0 }
    _ = dockerfile.stages
    _ = DockerfileLinter.lint(dockerfile, hasDockerignore: false)
    _ = DockerfileLinter.lint(dockerfile, hasDockerignore: true)
    if let unpinned = try? DockerfilePinner.unpinned(dockerfile) {
        let digest = Digest.sha256(of: Data())
        var digests: [Int: (image: String, digest: Digest)] = [:]
        for base in unpinned { digests[base.line] = (base.image, digest) }
        _ = DockerfilePinner.pin(dockerfile, digests: digests)
    }
    return 0
}
