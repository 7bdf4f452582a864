/// berth.yaml `sign:`: the key `berth build` and `berth release` sign with, so what they push or release
/// carries its signature (and, with `attest`, its SLSA provenance and SBOM attestations) from the same run.
public struct SigningSettings: Hashable, Sendable {
    /// The private key file (PKCS#8 or SEC1 PEM, encrypted or not), relative to berth.yaml.
    public var key: String
    /// The environment variable holding the key's passphrase (never the passphrase itself).
    public var passphraseEnv: String
    /// Attest SLSA provenance and each platform's SBOM beside the signature.
    public var attest: Bool
    /// Also write cosign's legacy `sha256-<hex>.sig`/`.att` tags.
    public var legacyTags: Bool

    public init(key: String, passphraseEnv: String = "BERTH_KEY_PASSPHRASE", attest: Bool = true, legacyTags: Bool = true) {
        self.key = key
        self.passphraseEnv = passphraseEnv
        self.attest = attest
        self.legacyTags = legacyTags
    }

    /// Whether `name` can be an environment variable's name (`[A-Za-z_][A-Za-z0-9_]*`): a value that
    /// isn't is likely the passphrase itself, written where its variable's name belongs.
    public static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}
