import ArgumentParser
import BerthCore
import BerthOCI
import BerthTrust
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check an image's signatures and attestations (sigstore bundle referrers, cosign .sig/.att tags) against a public key.",
        discussion:
            "Reports every signature found: its kind, the key it names, accepted or why not. An index is verified "
            + "when it and every manifest in it carry an accepted signature. Only the registry is contacted (no "
            + "transparency log). Attestations are checked too (signature, statement, subject digest) and reported with "
            + "their predicate type; --require names those that must be there, --source-repository/--source-ref what "
            + "the provenance must say. Exit codes: 0 verified, 1 registry failure, 4 no valid signature or a policy unmet (refused), "
            + "64 usage, 65 an unreadable key.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo@sha256:… or oci:PATH@sha256:….") var image: String

    @Option(help: ArgumentHelp("The trusted public key (PKIX PEM).", valueName: "FILE"))
    var key: String

    @Option(
        name: .customLong("require"),
        help: ArgumentHelp(
            "Also require an attestation by the key: provenance, sbom, vulnerabilities or a predicate type URI (repeatable).",
            valueName: "TYPE"))
    var required: [String] = []

    @Option(help: ArgumentHelp("Require a provenance from this source repository (repeatable: any of them).", valueName: "URL"))
    var sourceRepository: [String] = []

    @Option(help: ArgumentHelp("Require a provenance of this ref, refs/tags/v* for a prefix (repeatable).", valueName: "REF"))
    var sourceRef: [String] = []

    func policy() throws -> AttestationPolicy {
        let types = try required.map { name in
            guard let type = Attestation.predicateType(named: name) else {
                throw ValidationError(
                    "unknown attestation '\(name)': use provenance, sbom, vulnerabilities or a predicate type URI")
            }
            return type
        }
        return AttestationPolicy(required: types, repositories: sourceRepository, refs: sourceRef)
    }

    func run() async throws {
        let (reference, digest) = try TrustComposition.digestReference(image, verb: "verify")
        let policy = try policy()
        let verifier = try TrustComposition.verifier(keyPath: key)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: reference)
        let report = try await VerificationService(store: store, verifier: verifier).verify(
            reference.repository, digest: digest, reference: image)
        let violations = policy.isEmpty ? nil : policy.violations(report)
        if global.json {
            Terminal.write(
                try JSONOutput.encode(
                    TrustDocuments.VerifyDocument(
                        image: image, keyID: verifier.keyID, report: report, policyViolations: violations)) + "\n")
        } else if !global.quiet {
            for finding in report.findings {
                let verdict = finding.verdict.accepted ? "accepted" : "refused: \(finding.verdict.reason)"
                let kind =
                    finding.predicateType.map { "\(finding.kind.rawValue) \(Attestation.name(of: $0))" } ?? finding.kind.rawValue
                Terminal.write(
                    "\(finding.subject.short) \(kind) at \(finding.location) key \(finding.verdict.signerKeyID ?? "-"): \(verdict)\n"
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
        if let violations, !violations.isEmpty {
            Terminal.writeError(
                "berth: error: \(image) is signed but its attestations don't meet the policy: \(violations.joined(separator: "; ")); "
                    + "attest it with berth attest IMAGE@DIGEST --key KEY\n")
            throw ExitCode(ExitCodes.blocked)
        }
        if !global.json && !global.quiet { Terminal.write("verified: \(image)\n") }
    }
}
