import BerthCore
import BerthOCI
import Foundation

/// Small synthetic images for store tests: deterministic bytes, real digests, OCI media types.
public enum TestImages {
    /// A config and `layers` layer blobs, distinct per `seed`.
    public static func blobs(seed: String, layers: Int, layerSize: Int = 512) -> (config: Data, layers: [Data]) {
        let config = Data(
            #"{"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.version":"\#(seed)"}},"rootfs":{"type":"layers","diff_ids":[]}}"#
                .utf8)
        let layerData = (0..<layers).map { index -> Data in
            var bytes = Data("\(seed)-layer-\(index)-".utf8)
            // A fixed PRNG seeded from the text, so every run makes the same bytes.
            var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
            for char in seed.utf8 { state = (state ^ UInt64(char)) &* 0x100_0000_01B3 }
            while bytes.count < layerSize {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            return bytes
        }
        return (config, layerData)
    }

    /// Pushes an image (blobs, then the manifest under `tag`) and returns its manifest document.
    @discardableResult
    public static func push(
        into store: any ImageStore, repository: String, tag: String?, seed: String, layers: Int = 2, layerSize: Int = 512
    ) async throws -> ManifestDocument {
        let (config, layerData) = blobs(seed: seed, layers: layers, layerSize: layerSize)
        let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count))
        try await store.pushBlob(repository, digest: configDescriptor.digest, data: config)
        var layerDescriptors: [Descriptor] = []
        for data in layerData {
            let descriptor = Descriptor(mediaType: MediaType.ociLayerTarGzip, digest: .sha256(of: data), size: Int64(data.count))
            try await store.pushBlob(repository, digest: descriptor.digest, data: data)
            layerDescriptors.append(descriptor)
        }
        let manifest = ImageManifest(config: configDescriptor, layers: layerDescriptors)
        let document = try ManifestDocument(bytes: try CanonicalJSON.encode(manifest), mediaType: MediaType.ociManifest)
        try await store.pushManifest(repository, reference: tag ?? document.digest.description, manifest: document)
        return document
    }

    /// Pushes a two-platform index (linux/amd64 and linux/arm64) under `tag`.
    @discardableResult
    public static func pushIndex(into store: any ImageStore, repository: String, tag: String, seed: String) async throws
        -> ManifestDocument
    {
        var children: [Descriptor] = []
        for (architecture, variant) in [("amd64", nil), ("arm64", "v8")] as [(String, String?)] {
            let child = try await push(into: store, repository: repository, tag: nil, seed: "\(seed)-\(architecture)")
            var descriptor = child.descriptor
            descriptor.platform = Platform(architecture: architecture, os: "linux", variant: variant)
            children.append(descriptor)
        }
        let index = ImageIndex(manifests: children)
        let document = try ManifestDocument(bytes: try CanonicalJSON.encode(index), mediaType: MediaType.ociIndex)
        try await store.pushManifest(repository, reference: tag, manifest: document)
        return document
    }

    /// Pushes a small but real base image index (linux/amd64 and linux/arm64/v8): each child has a
    /// gzip'd tar layer with /etc/passwd and a config whose diff IDs, env and history match, as a
    /// distroless-style base would. Returns the index.
    @discardableResult
    public static func pushBase(into store: any ImageStore, repository: String, tag: String) async throws -> ManifestDocument {
        var children: [Descriptor] = []
        for (architecture, variant) in [("amd64", nil), ("arm64", "v8")] as [(String, String?)] {
            let passwd = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
            let tar = try TarArchive(
                files: [
                    .init(path: "etc/passwd", contents: Array(passwd.utf8), executable: false),
                    .init(path: "etc/arch", contents: Array(architecture.utf8), executable: false),
                ],
                modificationTime: 0
            ).bytes()
            let layer = Data(Gzip.compress(tar))
            let diffID = Digest.sha256(of: Data(tar))
            let variantField = variant.map { #","variant":"\#($0)""# } ?? ""
            let config = Data(
                #"{"architecture":"\#(architecture)","os":"linux"\#(variantField),"config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],"User":"0"},"rootfs":{"type":"layers","diff_ids":["\#(diffID)"]},"history":[{"created":"2023-01-01T00:00:00Z","created_by":"bazel build //base"}]}"#
                    .utf8)
            let configDescriptor = Descriptor(
                mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count))
            let layerDescriptor = Descriptor(
                mediaType: MediaType.ociLayerTarGzip, digest: .sha256(of: layer), size: Int64(layer.count))
            try await store.pushBlob(repository, digest: configDescriptor.digest, data: config)
            try await store.pushBlob(repository, digest: layerDescriptor.digest, data: layer)
            let manifest = try ManifestDocument(
                bytes: CanonicalJSON.encode(ImageManifest(config: configDescriptor, layers: [layerDescriptor])),
                mediaType: MediaType.ociManifest)
            try await store.pushManifest(repository, reference: manifest.digest.description, manifest: manifest)
            var descriptor = manifest.descriptor
            descriptor.platform = Platform(architecture: architecture, os: "linux", variant: variant)
            children.append(descriptor)
        }
        let index = try ManifestDocument(
            bytes: CanonicalJSON.encode(ImageIndex(manifests: children)), mediaType: MediaType.ociIndex)
        try await store.pushManifest(repository, reference: tag, manifest: index)
        return index
    }
}
