import BerthCore

extension ConfigurationLoader {
    /// `sign: {key: FILE, passphrase_env: NAME, attest: BOOL, legacy_tags: BOOL}`: what `berth build` and
    /// `berth release` sign with. A passphrase written where its variable's name belongs is refused
    /// without being repeated.
    static func readSigning(_ node: ConfigNode) throws -> SigningSettings {
        let fields = try node.mapping(known: ["key", "passphrase_env", "attest", "legacy_tags"])
        guard let keyNode = fields["key"] else {
            throw node.fail("'\(node.path)' needs 'key': the private key file to sign with (berth key generate writes one)")
        }
        let key = try keyNode.string()
        guard !key.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw keyNode.fail("'\(keyNode.path)' is empty: give the private key file")
        }
        var settings = SigningSettings(key: key)
        if let variable = fields["passphrase_env"] {
            let name = try variable.string()
            guard SigningSettings.isVariableName(name) else {
                throw variable.fail(
                    "'\(variable.path)' must be the name of the environment variable holding the passphrase (letters, "
                        + "digits, _), not the passphrase; remove it from berth.yaml")
            }
            settings.passphraseEnv = name
        }
        if let attest = fields["attest"] { settings.attest = try attest.bool() }
        if let legacy = fields["legacy_tags"] { settings.legacyTags = try legacy.bool() }
        return settings
    }
}
