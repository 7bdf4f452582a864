import ArgumentParser
import BerthCore
import BerthOCI
import BerthTrust
import Foundation

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an image by digest: a sigstore bundle as an OCI 1.1 referrer, as cosign v3 writes it.",
        discussion:
            "Of an index, the index and every manifest in it are signed. The signature is a DSSE envelope of an "
            + "in-toto statement (predicate https://sigstore.dev/cosign/sign/v1), key-based, with no transparency log; "
            + "registries without the referrers API get the sha256-<hex> fallback index. --legacy-tags (the default) "
            + "also writes cosign's sha256-<hex>.sig tag for verifiers that read only that. The key's passphrase comes "
            + "from the environment (--passphrase-env). Exit codes: 0 signed, 1 registry failure, 3 a signature tag "
            + "kept changing, 64 usage (no digest, no key, wrong passphrase), 65 an unreadable key.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo@sha256:… or oci:PATH@sha256:… (a digest, never a tag).") var image: String

    @Option(help: ArgumentHelp("The private key: PKCS#8 or SEC1 PEM, encrypted or not.", valueName: "FILE"))
    var key: String

    @Option(help: ArgumentHelp("The environment variable holding the key's passphrase.", valueName: "NAME"))
    var passphraseEnv = SigningKey.passphraseVariable

    @Flag(inversion: .prefixedNo, help: "Also write cosign's legacy sha256-<hex>.sig tag.")
    var legacyTags = true

    func run() async throws {
        let (reference, digest) = try TrustComposition.digestReference(image, verb: "sign")
        let signer = try TrustComposition.signer(
            keyPath: key, passphraseVariable: passphraseEnv, environment: Environment.variables)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: reference)
        let service = SigningService(store: store, signer: signer, legacyTags: legacyTags)
        let signed = try await service.sign(
            reference.repository, digest: digest, dockerReference: TrustDocuments.dockerReference(reference),
            created: TrustDocuments.timestamp(Date()))
        if global.json {
            Terminal.write(try JSONOutput.encode(TrustDocuments.SignDocument(keyID: signer.keyID, signed: signed)) + "\n")
        } else {
            for entry in signed {
                var line = "\(entry.subject) signed: referrer \(entry.referrer)"
                if let tag = entry.legacyTag { line += ", tag \(tag)" }
                Terminal.write(global.quiet ? "\(entry.referrer)\n" : line + "\n")
            }
        }
    }
}
