import BerthOCI

/// The media types, annotation keys and URIs of the signature formats berth writes and reads.
public enum TrustFormats {
    /// A sigstore bundle, v0.3 (sigstore protobuf-specs `MediaType`).
    public static let bundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    /// The DSSE payload type of an in-toto statement.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"
    /// in-toto Statement v1.
    public static let statementType = "https://in-toto.io/Statement/v1"
    /// cosign's predicate for a plain signature carried as a statement.
    public static let cosignSignPredicate = "https://sigstore.dev/cosign/sign/v1"
    /// The layer of a legacy `sha256-<hex>.sig` manifest.
    public static let simpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    /// The legacy layer's annotation holding the base64 signature.
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    /// The annotations cosign puts on a bundle referrer.
    public static let bundleContentAnnotation = "dev.sigstore.bundle.content"
    public static let bundlePredicateTypeAnnotation = "dev.sigstore.bundle.predicateType"
    public static let createdAnnotation = "org.opencontainers.image.created"

    /// The legacy signature tag of `digest`: `sha256-<hex>.sig`.
    public static func legacySignatureTag(for digest: Digest) -> String { "\(digest.algorithm)-\(digest.hex).sig" }
}
