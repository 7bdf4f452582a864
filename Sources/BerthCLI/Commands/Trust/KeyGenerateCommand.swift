import ArgumentParser
import BerthCore
import BerthTrust
import Foundation

struct KeyGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Create a key pair: PREFIX.key (PKCS#8 PEM, encrypted, mode 0600) and PREFIX.pub (PKIX PEM).",
        discussion:
            "The private key is encrypted (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC) with the passphrase in the "
            + "environment variable --passphrase-env names (BERTH_KEY_PASSPHRASE by default); berth never prompts. "
            + "An empty or unset passphrase is refused unless --unencrypted. Existing files are never overwritten "
            + "without --force. Exit codes: 0 written, 3 a file exists, 64 no passphrase.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("ecdsa-p256 (cosign's default) or ed25519.", valueName: "ALGORITHM"))
    var algorithm = "ecdsa-p256"

    @Option(name: .shortAndLong, help: ArgumentHelp("Write PREFIX.key and PREFIX.pub.", valueName: "PREFIX"))
    var output = "berth"

    @Option(help: ArgumentHelp("The environment variable holding the passphrase.", valueName: "NAME"))
    var passphraseEnv = SigningKey.passphraseVariable

    @Flag(help: "Write the private key unencrypted (for keys kept in a secret store that encrypts them).")
    var unencrypted = false

    @Flag(help: "Replace existing key files.")
    var force = false

    func run() throws {
        guard let chosen = KeyAlgorithm(rawValue: algorithm) else {
            throw BerthError(.usage, "unknown --algorithm '\(algorithm)': use ecdsa-p256 or ed25519")
        }
        let passphrase = Environment.variables[passphraseEnv] ?? ""
        if passphrase.isEmpty && !unencrypted {
            throw BerthError(
                .usage, "\(passphraseEnv) is unset or empty: set it to the passphrase for the new key, or pass --unencrypted")
        }
        let key = SigningKey(generating: chosen)
        let privatePath = output + ".key"
        let publicPath = output + ".pub"
        if !force {
            for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw BerthError(
                    .conflict, "'\(path)' exists; berth never overwrites a key: choose another --output or pass --force")
            }
        }
        try TrustComposition.writeKeyFile(
            key.pem(passphrase: unencrypted ? nil : passphrase), to: privatePath, mode: 0o600, force: force)
        try TrustComposition.writeKeyFile(key.publicKey.pem, to: publicPath, mode: 0o644, force: force)
        if global.json {
            let document = KeyDocument(
                privateKey: privatePath, publicKey: publicPath, algorithm: chosen.rawValue, keyID: key.publicKey.keyID,
                encrypted: !unencrypted)
            Terminal.write(try JSONOutput.encode(document) + "\n")
        } else if global.quiet {
            Terminal.write(publicPath + "\n")
        } else {
            Terminal.write(
                "private key: \(privatePath) (\(chosen.rawValue), \(unencrypted ? "unencrypted" : "encrypted"))\n"
                    + "public key:  \(publicPath)\nkey id:      \(key.publicKey.keyID)\n")
        }
    }
}

/// `berth key generate --json`.
struct KeyDocument: Encodable {
    let privateKey: String
    let publicKey: String
    let algorithm: String
    let keyID: String
    let encrypted: Bool
}
