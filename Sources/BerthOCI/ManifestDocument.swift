import Foundation

/// A manifest or index exactly as stored: its bytes (whose digest names it), media type and digest.
///
/// Bytes are never re-serialised: a retag or copy moves these very bytes, so the digest survives.
public struct ManifestDocument: Hashable, Sendable {
    public let bytes: Data
    public let mediaType: String
    public let digest: Digest

    /// Wraps `bytes`; the media type comes from the caller (the registry's Content-Type) or, when absent,
    /// from the document's own `mediaType` field.
    public init(bytes: Data, mediaType: String? = nil) throws(OCIError) {
        self.bytes = bytes
        self.digest = Digest.sha256(of: bytes)
        let declared = (try? JSONDecoder().decode(MediaTypeProbe.self, from: bytes))
        guard let probe = declared else { throw OCIError.malformedManifest("not a JSON object") }
        let type = mediaType.flatMap { MediaType.manifestTypes.contains($0) ? $0 : nil } ?? probe.mediaType ?? probe.inferred
        guard let type else { throw OCIError.malformedManifest("no media type, and neither 'layers' nor 'manifests'") }
        self.mediaType = type
    }

    /// Whether this is an index (several platforms).
    public var isIndex: Bool { MediaType.isIndex(mediaType) }

    /// The descriptor that points at this document.
    public var descriptor: Descriptor { Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count)) }

    /// The parsed single-image manifest; throws for an index.
    public func manifest() throws(OCIError) -> ImageManifest {
        guard !isIndex else { throw OCIError.malformedManifest("\(digest.short) is an index, not a manifest") }
        do { return try JSONDecoder().decode(ImageManifest.self, from: bytes) } catch {
            throw OCIError.malformedManifest("\(digest.short): \(error)")
        }
    }

    /// The parsed index; throws for a single-image manifest.
    public func index() throws(OCIError) -> ImageIndex {
        guard isIndex else { throw OCIError.malformedManifest("\(digest.short) is a manifest, not an index") }
        do { return try JSONDecoder().decode(ImageIndex.self, from: bytes) } catch {
            throw OCIError.malformedManifest("\(digest.short): \(error)")
        }
    }

    private struct MediaTypeProbe: Decodable {
        let mediaType: String?
        let layers: [Descriptor]?
        let manifests: [Descriptor]?
        var inferred: String? {
            if manifests != nil { return MediaType.ociIndex }
            if layers != nil { return MediaType.ociManifest }
            return nil
        }
    }
}

/// A single-image manifest (OCI image-spec "Image Manifest"; Docker schema 2 has the same shape).
public struct ImageManifest: Hashable, Sendable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        mediaType: String? = MediaType.ociManifest, config: Descriptor, layers: [Descriptor], subject: Descriptor? = nil,
        annotations: [String: String]? = nil, artifactType: String? = nil
    ) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
        self.artifactType = artifactType
    }

    /// The blobs this manifest needs: config first, then layers.
    public var blobs: [Descriptor] { [config] + layers }
}

/// An image index (OCI image-spec "Image Index"; Docker's manifest list has the same shape).
public struct ImageIndex: Hashable, Sendable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: String? = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

/// The parts of an image config berth reads (OCI image-spec "Image Configuration").
public struct ImageConfig: Hashable, Sendable, Decodable {
    public struct Config: Hashable, Sendable, Decodable {
        public var labels: [String: String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var user: String?
        public var env: [String]?

        // The config's own (Go-style) field names.
        enum CodingKeys: String, CodingKey {
            case labels = "Labels", entrypoint = "Entrypoint", cmd = "Cmd", user = "User", env = "Env"
        }
    }
    public var created: String?
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var config: Config?

    /// Parses config bytes.
    public static func parse(_ data: Data) throws(OCIError) -> ImageConfig {
        do { return try JSONDecoder().decode(ImageConfig.self, from: data) } catch {
            throw OCIError.malformedManifest("image config: \(error)")
        }
    }

    /// The labels, empty when there are none.
    public var labels: [String: String] { config?.labels ?? [:] }
}

/// Why OCI content is unusable.
public enum OCIError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedManifest(String)
    case invalidReference(String, reason: String)

    public var description: String {
        switch self {
        case .malformedManifest(let reason): "malformed manifest: \(reason)"
        case .invalidReference(let text, let reason): "'\(text)' is not an image reference: \(reason)"
        }
    }
}
