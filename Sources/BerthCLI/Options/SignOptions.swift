import ArgumentParser

/// `--sign`, `--key`, `--passphrase-env` of `berth build` and `berth release`: sign (and attest) what the
/// run pushes or releases. berth.yaml's `sign:` supplies the defaults and turns signing on.
struct SignOptions: ParsableArguments {
    @Flag(
        inversion: .prefixedNo,
        help: "Sign and attest (provenance, SBOM) what this run pushes; on by default when berth.yaml has sign.key.")
    var sign: Bool?

    @Option(
        help: ArgumentHelp("The private key to sign with (default: berth.yaml's sign.key); implies --sign.", valueName: "FILE"))
    var key: String?

    @Option(
        help: ArgumentHelp(
            "The environment variable holding the key's passphrase (default: sign.passphrase_env, else BERTH_KEY_PASSPHRASE).",
            valueName: "NAME"))
    var passphraseEnv: String?
}
