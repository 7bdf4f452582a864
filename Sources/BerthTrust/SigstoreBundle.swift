import BerthCore
import Foundation

/// A sigstore bundle v0.3 as protobuf-specs' JSON mapping writes it (`dev.sigstore.bundle.v1.Bundle`),
/// in the key-based form: the public key's hint as verification material, a DSSE envelope as content,
/// no transparency-log entries and no timestamps.
public struct SigstoreBundle: Codable, Sendable, Equatable {
    public struct VerificationMaterial: Codable, Sendable, Equatable {
        public struct PublicKey: Codable, Sendable, Equatable {
            public var hint: String?
        }
        public var publicKey: PublicKey?
        /// Present in bundles from a transparency log; berth writes none and reads none.
        public var tlogEntries: [TlogEntry]?

        /// Only counted: a bundle berth reads may carry log entries it doesn't check.
        public struct TlogEntry: Codable, Sendable, Equatable {}
    }
    public var mediaType: String
    public var verificationMaterial: VerificationMaterial
    public var dsseEnvelope: DSSEEnvelope?

    public init(keyHint: String, envelope: DSSEEnvelope) {
        mediaType = TrustFormats.bundleMediaType
        verificationMaterial = VerificationMaterial(publicKey: .init(hint: keyHint), tlogEntries: nil)
        dsseEnvelope = envelope
    }

    /// The media types a v0.3 bundle may name (protobuf-specs accepts both spellings).
    static let acceptedMediaTypes: Set<String> = [
        TrustFormats.bundleMediaType, "application/vnd.dev.sigstore.bundle+json;version=0.3",
    ]
}
