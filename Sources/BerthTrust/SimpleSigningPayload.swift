import Foundation

/// cosign's legacy signature payload ("simple signing", containers/image's signature format as cosign
/// writes it): `{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":"cosign container image signature"},"optional":null}`.
public struct SimpleSigningPayload: Codable, Sendable, Equatable {
    public struct Critical: Codable, Sendable, Equatable {
        public struct Identity: Codable, Sendable, Equatable {
            public var dockerReference: String
            enum CodingKeys: String, CodingKey { case dockerReference = "docker-reference" }
        }
        public struct Image: Codable, Sendable, Equatable {
            public var dockerManifestDigest: String
            enum CodingKeys: String, CodingKey { case dockerManifestDigest = "docker-manifest-digest" }
        }
        public var identity: Identity
        public var image: Image
        public var type: String
    }
    public var critical: Critical
    public var optional: [String: String]?

    public static let signatureType = "cosign container image signature"

    public init(dockerReference: String, digest: String) {
        critical = Critical(
            identity: .init(dockerReference: dockerReference), image: .init(dockerManifestDigest: digest),
            type: Self.signatureType)
        optional = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(critical, forKey: .critical)
        // cosign writes `"optional":null`; keep the key so the payload reads the same.
        if let optional { try container.encode(optional, forKey: .optional) } else { try container.encodeNil(forKey: .optional) }
    }

    enum CodingKeys: String, CodingKey { case critical, optional }
}
