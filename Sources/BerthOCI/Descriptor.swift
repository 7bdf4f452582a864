/// A platform an image runs on (OCI image-spec, image index).
public struct Platform: Hashable, Sendable, Codable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    enum CodingKeys: String, CodingKey { case architecture, os, variant, osVersion = "os.version" }

    /// `linux/arm64/v8`.
    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}

/// A pointer to content (OCI image-spec "Content Descriptors"): media type, digest and size.
public struct Descriptor: Hashable, Sendable, Codable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?
    public var artifactType: String?
    public var urls: [String]?

    public init(
        mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil,
        artifactType: String? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }
}
