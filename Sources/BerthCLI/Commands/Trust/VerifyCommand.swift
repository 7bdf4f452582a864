import ArgumentParser
import BerthCore
import BerthOCI
import BerthTrust
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an image's signatures (sigstore bundle referrers and cosign .sig tags) against a public key.",
        discussion:
            "Reports every signature found: its kind, the key it names, accepted or why not. An index is verified "
            + "when it and every manifest in it carry an accepted signature. Only the registry is contacted (no "
            + "transparency log). Exit codes: 0 verified, 1 registry failure, 4 no valid signature (refused), "
            + "64 usage, 65 an unreadable key.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo@sha256:… or oci:PATH@sha256:….") var image: String

    @Option(help: ArgumentHelp("The trusted public key (PKIX PEM).", valueName: "FILE"))
    var key: String

    func run() async throws {
        let (reference, digest) = try TrustComposition.digestReference(image, verb: "verify")
        let verifier = try TrustComposition.verifier(keyPath: key)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: reference)
        let report = try await VerificationService(store: store, verifier: verifier).verify(
            reference.repository, digest: digest, reference: image)
        if global.json {
            Terminal.write(
                try JSONOutput.encode(TrustDocuments.VerifyDocument(image: image, keyID: verifier.keyID, report: report)) + "\n")
        } else if !global.quiet {
            for finding in report.findings {
                let verdict = finding.verdict.accepted ? "accepted" : "refused: \(finding.verdict.reason)"
                Terminal.write(
                    "\(finding.subject.short) \(finding.kind.rawValue) at \(finding.location) key \(finding.verdict.signerKeyID ?? "-"): \(verdict)\n"
                )
            }
        }
        guard report.verified else {
            let missing = report.unsigned.map(\.description).joined(separator: ", ")
            Terminal.writeError(
                "berth: error: no valid signature by key \(verifier.keyID) on \(missing); sign it with berth sign IMAGE@DIGEST --key KEY\n"
            )
            throw ExitCode(ExitCodes.blocked)
        }
        if !global.json && !global.quiet { Terminal.write("verified: \(image)\n") }
    }
}
