import BerthOCI
import Foundation

/// OCI/Docker manifests and indexes (`ManifestDocument`, then `manifest()` / `index()`) and image configs.
/// The first byte picks the Content-Type the registry claims, as a registry response would carry it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let all = UnsafeBufferPointer(start: data, count: size)
    let claimed: [String?] = [
        nil, MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList,
        "application/json",
    ]
    let type = size > 0 ? claimed[Int(all[0]) % claimed.count] : nil
    let bytes = Data(size > 0 ? UnsafeBufferPointer(rebasing: all[1...]) : all)
    if let document = try? ManifestDocument(bytes: bytes, mediaType: type) {
        _ = document.descriptor
        if document.isIndex {
            if let index = try? document.index() { _ = index.manifests.count }
        } else {
            if let manifest = try? document.manifest() { _ = manifest.layers.count }
        }
    }
    if let config = try? ImageConfig.parse(bytes) { _ = config.labels }
    return 0
}
