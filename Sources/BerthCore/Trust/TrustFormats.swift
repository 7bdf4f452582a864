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

    /// SLSA provenance v1 (slsa.dev/spec/v1.0/provenance).
    public static let slsaProvenancePredicate = "https://slsa.dev/provenance/v1"
    /// An SPDX document as a predicate (what `cosign attest --type spdxjson` writes).
    public static let spdxPredicate = "https://spdx.dev/Document"
    /// A CycloneDX document as a predicate (`cosign attest --type cyclonedx`).
    public static let cycloneDXPredicate = "https://cyclonedx.org/bom"
    /// SLSA verification summary v1: berth's gate decision.
    public static let verificationSummaryPredicate = "https://slsa.dev/verification_summary/v1"
    /// The layer of a legacy `sha256-<hex>.att` manifest: a DSSE envelope.
    public static let dsseEnvelopeMediaType = "application/vnd.dsse.envelope.v1+json"
    /// The legacy attestation layer's annotation naming its predicate type.
    public static let legacyPredicateTypeAnnotation = "predicateType"

    /// The legacy attestation tag of `digest`: `sha256-<hex>.att`.
    public static func legacyAttestationTag(for digest: Digest) -> String { "\(digest.algorithm)-\(digest.hex).att" }

    /// The legacy signature tag of `digest`: `sha256-<hex>.sig`.
    public static func legacySignatureTag(for digest: Digest) -> String { "\(digest.algorithm)-\(digest.hex).sig" }
}
