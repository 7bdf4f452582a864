/// The signature algorithms berth's keys use.
public enum KeyAlgorithm: String, Sendable, CaseIterable {
    /// ECDSA over NIST P-256 with SHA-256; signatures DER-encoded (cosign's default).
    case ecdsaP256 = "ecdsa-p256"
    /// Ed25519 (RFC 8032), signatures raw 64 bytes.
    case ed25519
}
