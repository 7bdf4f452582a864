import ArgumentParser
import BerthBuild
import BerthCore
import BerthOCI
import BerthTrust
import Foundation

struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Attach signed in-toto attestations to an image by digest: SLSA provenance, the SBOM, the gate's summary.",
        discussion:
            "Each attestation is an in-toto Statement v1 signed as DSSE with the same key as berth sign, pushed as a "
            + "sigstore bundle v0.3 referrer (the sha256-<hex> fallback index on registries without the referrers API) "
            + "and, with --legacy-tags (the default), as a layer of cosign's sha256-<hex>.att tag. Of an index, the index "
            + "and every manifest in it get a provenance (and a signature with --sign); each platform manifest its own "
            + "SBOM referrer as an attestation (or --sbom-file for the digest given); --gate attests the newest gate "
            + "decision the ledger holds for the digest as a SLSA verification summary. What the provenance options "
            + "leave out is read from the image: platforms, base image (org.opencontainers.image.base.*), source and "
            + "revision labels, Go modules from --go-binary's go version -m or else from the SBOM. With --in-toto-link DIR, "
            + "berth attaches nothing and writes the build step's in-toto v0.9 link, DIR/build.<keyid8>.link, signed with "
            + "the key: every file git tracks under -C DIR as a material with its SHA-256, the image as the product "
            + "image/<host>/<repository> (image/oci:<path>) with its manifest digest; berth key layout writes the layout "
            + "in-toto-verify checks it against. Exit codes: 0 attested, 1 registry, ledger, git or file failure, 3 a tag "
            + "kept changing, 64 usage, 65 an unreadable key, SBOM or binary.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Argument(help: "host/repo@sha256:… or oci:PATH@sha256:… (a digest, never a tag).") var image: String

    @Option(help: ArgumentHelp("The private key: PKCS#8 or SEC1 PEM, encrypted or not.", valueName: "FILE"))
    var key: String

    @Option(help: ArgumentHelp("The environment variable holding the key's passphrase.", valueName: "NAME"))
    var passphraseEnv = SigningKey.passphraseVariable

    @Flag(inversion: .prefixedNo, help: "Also write cosign's legacy sha256-<hex>.att (and, with --sign, .sig) tags.")
    var legacyTags = true

    @Flag(help: "Sign every subject too, as berth sign does, in the same pass.")
    var sign = false

    @Flag(inversion: .prefixedNo, help: "Attest SLSA provenance v1.") var provenance = true
    @Flag(inversion: .prefixedNo, help: "Attest each platform manifest's SPDX SBOM referrer.") var sbom = true
    @Option(help: ArgumentHelp("Attest this SPDX or CycloneDX JSON SBOM about the digest instead.", valueName: "FILE"))
    var sbomFile: String?
    @Flag(help: "Attest the newest gate decision the ledger holds for the digest (a SLSA verification summary).")
    var gate = false

    @Option(help: ArgumentHelp("The source repository's URL (default: the image's source label).", valueName: "URL"))
    var sourceRepository: String?
    @Option(help: ArgumentHelp("The commit built (default: the image's revision label).", valueName: "SHA")) var commit: String?
    @Option(help: ArgumentHelp("The ref built (default: $GITHUB_REF, $CI_COMMIT_REF_NAME).", valueName: "REF")) var ref: String?
    @Option(help: ArgumentHelp("The version (default: the image's version label).", valueName: "VERSION"))
    var releaseVersion: String?
    @Option(help: ArgumentHelp("The Go binary whose go version -m lists the modules (default: the SBOM's).", valueName: "FILE"))
    var goBinary: String?
    @Option(help: ArgumentHelp("The builder id (default: urn:berth:builder).", valueName: "URI"))
    var builderId = SLSAProvenance.defaultBuilderID
    @Option(help: ArgumentHelp("When the build started, RFC 3339 (default: now).", valueName: "TIME")) var startedOn: String?

    @Option(
        help: ArgumentHelp(
            "Write the build step's signed in-toto v0.9 link into this folder instead of attaching attestations.",
            valueName: "DIR"))
    var inTotoLink: String?

    func validate() throws {
        if inTotoLink != nil && (sign || gate || sbomFile != nil) {
            throw ValidationError("--in-toto-link writes a link file only; drop --sign, --gate and --sbom-file")
        }
        if sbomFile != nil && !sbom { throw ValidationError("--sbom-file and --no-sbom contradict each other") }
        if !provenance && !sbom && !gate && !sign { throw ValidationError("nothing to attest: drop a --no-… flag or add --gate") }
    }

    func run() async throws {
        let (reference, digest) = try TrustComposition.digestReference(image, verb: "attest")
        let signer = try TrustComposition.signer(
            keyPath: key, passphraseVariable: passphraseEnv, environment: Environment.variables)
        if let inTotoLink { return try await writeLink(reference, digest: digest, signer: signer, to: inTotoLink) }
        let now = TrustDocuments.timestamp(Date())
        var request = AttestationService.Request(sign: sign)
        if provenance { request.provenance = try provenanceTemplate(now: now) }
        if let sbomFile {
            guard let data = FileManager.default.contents(atPath: sbomFile) else {
                throw BerthError(.usage, "can't read the SBOM '\(sbomFile)': check the path")
            }
            request.sbom = .document(data)
        } else if sbom {
            request.sbom = .referrers
        }
        if gate { request.vulnerabilities = try await gateSummary(reference, digest: digest) }
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: reference)
        let outcome = try await AttestationService(store: store, signer: signer, legacyTags: legacyTags).attest(
            reference.repository, digest: digest, dockerReference: TrustDocuments.dockerReference(reference),
            created: now, request: request)
        if global.json {
            Terminal.write(try JSONOutput.encode(TrustDocuments.AttestDocument(keyID: signer.keyID, outcome: outcome)) + "\n")
            return
        }
        for entry in outcome.signed {
            Terminal.write(global.quiet ? "\(entry.referrer)\n" : "\(entry.subject) signed: referrer \(entry.referrer)\n")
        }
        for entry in outcome.attested {
            var line = "\(entry.subject) \(entry.name) attested: referrer \(entry.referrer)"
            if let tag = entry.legacyTag { line += ", tag \(tag)" }
            Terminal.write(global.quiet ? "\(entry.referrer)\n" : line + "\n")
        }
        if !global.quiet { for note in outcome.notes { Terminal.writeError("berth: note: \(note)\n") } }
    }

    /// The build step's link: the core reads the materials and checks the image is there, BerthTrust
    /// signs it in securesystemslib's format, and it is written as in-toto names it.
    private func writeLink(_ reference: ImageReference, digest: Digest, signer: KeySigner, to folder: String) async throws {
        let context = try CommandContext(global: global)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: reference)
        let link = try await InTotoLinkService(source: try context.git, store: store).buildLink(for: reference, digest: digest)
        let path = try TrustComposition.writeInTotoLink(link, signer: signer, folder: folder)
        if global.json {
            let document = TrustDocuments.InTotoLinkDocument(
                link: path, keyID: InTotoClassic.keyID(signer.key.publicKey), step: link.step, materials: link.materials.count,
                product: link.productName, digest: digest.description)
            Terminal.write(try JSONOutput.encode(document) + "\n")
        } else if global.quiet {
            Terminal.write(path + "\n")
        } else {
            Terminal.write(
                "\(path): step \(link.step), \(link.materials.count) materials, product \(link.productName) \(digest)\n")
        }
    }

    private func provenanceTemplate(now: String) throws -> SLSAProvenance {
        let environment = Environment.variables
        var source: SLSAProvenance.Source?
        if let sourceRepository {
            source = .init(repository: sourceRepository, commit: commit)
        } else if let commit {
            source = .init(repository: "", commit: commit)
        }
        let ref = ref ?? environment["GITHUB_REF"] ?? environment["CI_COMMIT_REF_NAME"].map { "refs/heads/" + $0 }
        var buildInfo: GoBuildInfo?
        if let goBinary {
            guard FileManager.default.isReadableFile(atPath: goBinary) else {
                throw BerthError(.usage, "can't read the Go binary '\(goBinary)': check the path")
            }
            buildInfo = try GoCommandToolchain(directory: FileManager.default.currentDirectoryPath).buildInfo(ofBinary: goBinary)
        }
        var provenance = SLSAProvenance(
            source: source, version: releaseVersion, platforms: [], main: buildInfo?.path, baseImage: nil,
            goVersion: buildInfo?.goVersion, modules: buildInfo?.dependencies ?? [], builderID: builderId,
            berthVersion: BerthVersion.current, invocationID: environment["GITHUB_RUN_ID"] ?? environment["CI_JOB_ID"],
            startedOn: startedOn ?? now, finishedOn: now)
        if let ref {
            if provenance.source == nil { provenance.source = .init(repository: "") }
            provenance.source?.ref = ref
        }
        return provenance
    }

    /// The newest gate decision for `digest` in the ledger, as a verification summary.
    private func gateSummary(_ reference: ImageReference, digest: Digest) async throws -> VerificationSummary {
        let context = try CommandContext(global: global)
        let queries = try await context.queries(ledgerOptions)
        let events = try await queries.history(
            LedgerQuery(repository: reference.ledgerName, digest: digest.description, kinds: [.gateEvaluated], limit: 1))
        guard let event = events.first, let record = GateRecord(event) else {
            throw BerthError(
                .usage,
                "the ledger holds no gate decision for \(reference.ledgerName)@\(digest); run berth gate first or drop --gate")
        }
        var policyDigest: Digest?
        if let file = context.configFile, let bytes = FileManager.default.contents(atPath: file) {
            policyDigest = .sha256(of: bytes)
        }
        return VerificationSummary(
            gate: record, resourceURI: "\(reference.ledgerName)@\(digest)",
            timeVerified: TrustDocuments.timestamp(Date(timeIntervalSince1970: event.time)), policyDigest: policyDigest,
            berthVersion: BerthVersion.current)
    }
}
