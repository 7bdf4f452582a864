import BerthOCI
import Foundation

/// A layer berth made: its blob, what it unpacks to (diff ID), and a stable history line.
public struct ImageLayer: Sendable {
    public let descriptor: Descriptor
    public let diffID: Digest
    public let blob: Data
    /// History `created_by`: what the layer holds, never a tool version or a time.
    public let createdBy: String

    /// Packs a tar archive as a layer: gzip (with `compress`, berth's deterministic DEFLATE by default) or plain.
    public static func pack(
        tar: [UInt8], compression: BuildSettings.Compression, createdBy: String,
        compress: ([UInt8]) -> [UInt8] = Gzip.compress
    ) -> ImageLayer {
        let diffID = Digest.sha256(of: Data(tar))
        let blob: Data
        let mediaType: String
        switch compression {
        case .gzip:
            blob = Data(compress(tar))
            mediaType = MediaType.ociLayerTarGzip
        case .none:
            blob = Data(tar)
            mediaType = MediaType.ociLayerTar
        }
        let digest = compression == .none ? diffID : Digest.sha256(of: blob)
        return ImageLayer(
            descriptor: Descriptor(mediaType: mediaType, digest: digest, size: Int64(blob.count)), diffID: diffID, blob: blob,
            createdBy: createdBy)
    }
}

/// The image a build starts from, for one platform: its manifest and config (nil for `scratch`).
public struct BaseImage: Sendable {
    /// The reference as the user wrote it, without the digest (annotation `org.opencontainers.image.base.name`).
    public let name: String
    /// The platform manifest's digest (annotation `org.opencontainers.image.base.digest`).
    public let digest: Digest
    public let manifest: ImageManifest
    public let config: JSONValue

    public init(name: String, digest: Digest, manifest: ImageManifest, config: JSONValue) {
        self.name = name
        self.digest = digest
        self.manifest = manifest
        self.config = config
    }
}

/// What the container runs: the settings of the config berth writes.
public struct RuntimeSettings: Sendable, Hashable {
    public var entrypoint: [String]
    public var user: String
    public var environment: [String: String]
    public var ports: [String]
    public var workingDirectory: String
    /// OCI labels (the plan's annotations), also written as manifest annotations.
    public var labels: [String: String]
    /// RFC 3339, from SOURCE_DATE_EPOCH or the commit time.
    public var created: String

    public init(
        entrypoint: [String], user: String, environment: [String: String], ports: [String], workingDirectory: String,
        labels: [String: String], created: String
    ) {
        self.entrypoint = entrypoint
        self.user = user
        self.environment = environment
        self.ports = ports
        self.workingDirectory = workingDirectory
        self.labels = labels
        self.created = created
    }
}

/// A finished single-platform image: the config blob and the manifest.
public struct AssembledImage: Sendable {
    public let platform: BuildPlatform
    public let config: Data
    public let manifest: ManifestDocument
    public let layers: [ImageLayer]
    public let base: BaseImage?
}

/// Writes image configs, manifests and indexes (OCI image-spec) from a base, new layers and runtime
/// settings. Pure: the same inputs give the same bytes, so the same commit gives the same digest.
public enum ImageAssembler {
    /// The config and manifest of one platform's image.
    public static func assemble(
        platform: BuildPlatform, base: BaseImage?, layers: [ImageLayer], settings: RuntimeSettings
    ) throws -> AssembledImage {
        var config = base?.config ?? .object([:])
        guard config.objectValue != nil else { throw BerthError(.badInput, "the base image's config is not a JSON object") }
        let baseDiffIDs = config["rootfs"]?["diff_ids"]?.stringArray ?? []
        if let base, baseDiffIDs.count != base.manifest.layers.count {
            throw BerthError(
                .badInput,
                "base image '\(base.name)@\(base.digest)' has \(base.manifest.layers.count) layers but \(baseDiffIDs.count) diff IDs in its config: choose another base"
            )
        }
        config["created"] = .string(settings.created)
        config["architecture"] = .string(platform.architecture)
        config["os"] = .string(platform.os)
        config["variant"] = platform.variant.map(JSONValue.string)

        var runtime = config["config"] ?? .object([:])
        if runtime.objectValue == nil { runtime = .object([:]) }
        runtime["Entrypoint"] = .array(settings.entrypoint.map(JSONValue.string))
        // A new entrypoint resets the base's Cmd, as Docker's ENTRYPOINT does.
        runtime["Cmd"] = nil
        runtime["User"] = .string(settings.user)
        runtime["WorkingDir"] = .string(settings.workingDirectory)
        runtime["Env"] = .array(mergedEnvironment(runtime["Env"]?.stringArray ?? [], settings.environment).map(JSONValue.string))
        var ports = runtime["ExposedPorts"]?.objectValue ?? [:]
        for port in settings.ports { ports[port.contains("/") ? port : port + "/tcp"] = .object([:]) }
        runtime["ExposedPorts"] = ports.isEmpty ? nil : .object(ports)
        var labels = runtime["Labels"]?.objectValue ?? [:]
        for (key, value) in settings.labels { labels[key] = .string(value) }
        runtime["Labels"] = labels.isEmpty ? nil : .object(labels)
        config["config"] = runtime

        config["rootfs"] = .object([
            "type": .string("layers"),
            "diff_ids": .array((baseDiffIDs + layers.map(\.diffID.description)).map(JSONValue.string)),
        ])
        var history = config["history"]?.arrayValue ?? []
        for layer in layers {
            history.append(.object(["created": .string(settings.created), "created_by": .string(layer.createdBy)]))
        }
        config["history"] = .array(history)
        let configBytes = try CanonicalJSON.encode(config)

        var annotations = settings.labels
        if let base {
            annotations[AnnotationKey.baseName] = base.name
            annotations[AnnotationKey.baseDigest] = base.digest.description
        }
        let baseLayers = (base?.manifest.layers ?? []).map(ociLayer)
        let manifest = ImageManifest(
            config: Descriptor(
                mediaType: MediaType.ociConfig, digest: Digest.sha256(of: configBytes), size: Int64(configBytes.count)),
            layers: baseLayers + layers.map(\.descriptor),
            annotations: annotations.isEmpty ? nil : annotations)
        return AssembledImage(
            platform: platform, config: configBytes, manifest: try ManifestDocument(bytes: CanonicalJSON.encode(manifest)),
            layers: layers, base: base)
    }

    /// An index over several platforms' images, annotated like them (base digest: the base's index).
    public static func index(of images: [AssembledImage], labels: [String: String], base: (name: String, digest: Digest)?) throws
        -> ManifestDocument
    {
        var annotations = labels
        if let base {
            annotations[AnnotationKey.baseName] = base.name
            annotations[AnnotationKey.baseDigest] = base.digest.description
        }
        let index = ImageIndex(
            manifests: images.map { image in
                var descriptor = image.manifest.descriptor
                descriptor.platform = image.platform.ociPlatform
                return descriptor
            },
            annotations: annotations.isEmpty ? nil : annotations)
        return try ManifestDocument(bytes: CanonicalJSON.encode(index))
    }

    /// The base's variables in their order with ours replacing or following them (ours sorted by name).
    static func mergedEnvironment(_ base: [String], _ ours: [String: String]) -> [String] {
        var result = base.filter { entry in
            let name = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            return ours[name] == nil
        }
        result += ours.keys.sorted().map { "\($0)=\(ours[$0]!)" }
        return result
    }

    /// Docker schema 2 layer types become their OCI equivalents (same bytes); others are kept.
    static func ociLayer(_ descriptor: Descriptor) -> Descriptor {
        var layer = descriptor
        switch descriptor.mediaType {
        case MediaType.dockerLayer: layer.mediaType = MediaType.ociLayerTarGzip
        case "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
            layer.mediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        default: break
        }
        return layer
    }
}
