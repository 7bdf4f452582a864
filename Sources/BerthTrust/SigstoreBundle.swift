import BerthCore
import Foundation

/// A sigstore bundle v0.3 as protobuf-specs' JSON mapping writes it (`dev.sigstore.bundle.v1.Bundle`),
/// in the key-based form: the public key's hint as verification material, a DSSE envelope as content,
/// no transparency-log entries and no timestamps. berth writes DSSE; it also reads the other content a
/// key-based bundle may hold, a signature over the artifact's SHA-256 (`cosign sign-blob --bundle`).
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
    public var messageSignature: MessageSignature?

    /// `dev.sigstore.common.v1.MessageSignature`: the artifact's digest and a signature over the artifact.
    public struct MessageSignature: Codable, Sendable, Equatable {
        public struct MessageDigest: Codable, Sendable, Equatable {
            /// `HashAlgorithm`'s name: `SHA2_256` is the one berth reads.
            public var algorithm: String
            /// The digest's bytes, base64.
            public var digest: String
        }
        public var messageDigest: MessageDigest?
        /// base64 of the signature (ASN.1 DER for ECDSA).
        public var signature: String
    }

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
