import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth attest and verify --require through the built binary, on Docker Distribution 2.8")
struct AttestCLITests {
    let cli: CLIHarness
    let directory: String

    init() throws {
        cli = try CLIHarness()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("attest-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static let goVersionM = """
        /app/server: go1.22.2
        \tpath\texample.com/api/cmd/server
        \tmod\texample.com/api\t(devel)\t
        \tdep\tgithub.com/gin-gonic/gin\tv1.9.1\th1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=
        \tbuild\t-trimpath=true
        \tbuild\tCGO_ENABLED=0
        """

    /// A two-platform index in an OCI layout, each platform manifest with an SPDX referrer as berth build
    /// attaches it (listed in its `sha256-<hex>` fallback index); returns the index.
    func layoutWithSBOMs(_ layout: String) async throws -> ManifestDocument {
        let store = try OCILayoutStore(path: layout, create: true)
        let index = try await TestImages.pushIndex(into: store, repository: "", tag: "v1", seed: "attest-cli")
        try await store.pushBlob("", digest: Referrers.emptyConfig.digest, data: Referrers.emptyConfigBytes)
        for child in try index.index().manifests {
            let sbom = try SPDXDocument(
                name: "acme/api", version: "1.2.0", buildInfo: GoBuildInfo(parsing: Self.goVersionM), subject: child.digest,
                created: "2026-12-01T21:00:00Z"
            ).bytes
            let blob = Descriptor(mediaType: SPDXDocument.mediaType, digest: .sha256(of: sbom), size: Int64(sbom.count))
            try await store.pushBlob("", digest: blob.digest, data: sbom)
            let artifact = try Referrers.artifact(
                type: SPDXDocument.mediaType, blob: blob, subject: child,
                annotations: [AnnotationKey.created: "2026-12-01T21:00:00Z"])
            try await store.pushManifest("", reference: artifact.digest.description, manifest: artifact)
            try await Referrers(store: store).link(artifact, in: "")
        }
        return index
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// stderr is one line: `berth: error: …` and a newline.
    func oneLine(_ result: ShellResult) -> Bool {
        result.stderr.hasPrefix("berth: error: ") && result.stderr.hasSuffix("\n")
            && result.stderr.dropLast().split(separator: "\n").count == 1
    }

    @Test(
        "key generate, attest --sign, verify --require provenance --require sbom: 0; another key, a missing attestation, a ref not matched: 4 with one line",
        .requires(.dockerRegistry))
    func attestAndVerify() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try RegistryServer()
        defer { server.stop() }
        let layout = "\(directory)/layout"
        let index = try await layoutWithSBOMs(layout)
        let children = try index.index().manifests.map(\.digest)
        let repo = "\(server.host)/acme/api"
        let image = "\(repo)@\(index.digest)"
        #expect(try cli.run(["registry", "cp", "oci:\(layout):v1", "\(repo):v1"], in: "/").status == 0)
        for child in children {
            let fallback = Referrers.fallbackTag(for: child)
            let copied = try cli.run(["registry", "cp", "oci:\(layout):\(fallback)", "\(repo):\(fallback)"], in: "/")
            #expect(copied.status == 0, "\(copied.stderr)")
        }

        let passphrase = ["BERTH_KEY_PASSPHRASE": "attest pass"]
        #expect(try cli.run(["key", "generate", "-o", "signer"], in: directory, environment: passphrase).status == 0)
        #expect(
            try cli.run(["key", "generate", "-o", "other", "--algorithm", "ed25519"], in: directory, environment: passphrase)
                .status == 0)
        let require = ["--require", "provenance", "--require", "sbom"]

        // Signed but not attested: the signature verifies, the policy doesn't.
        #expect(try cli.run(["sign", image, "--key", "signer.key"], in: directory, environment: passphrase).status == 0)
        #expect(try cli.run(["verify", image, "--key", "signer.pub"], in: directory).status == 0)
        let unattested = try cli.run(["verify", image, "--key", "signer.pub"] + require, in: directory)
        #expect(unattested.status == 4, "\(unattested.stdout)\(unattested.stderr)")
        #expect(
            oneLine(unattested) && unattested.stderr.contains("signed but its attestations don't meet the policy"),
            "\(unattested.stderr)")
        #expect(unattested.stderr.components(separatedBy: "no provenance attestation by the key").count == 1 + 3)
        #expect(unattested.stderr.components(separatedBy: "no sbom attestation by the key").count == 1 + 2)
        #expect(!unattested.stdout.contains("verified:"))

        let attest = try cli.run(
            [
                "attest", "--json", image, "--key", "signer.key", "--sign", "--source-repository", "https://github.com/acme/api",
                "--commit", String(repeating: "c0ffee12", count: 5), "--ref", "refs/tags/v1.2.0", "--release-version", "1.2.0",
            ], in: directory, environment: passphrase)
        #expect(attest.status == 0, "\(attest.stderr)")
        #expect(!attest.stdout.contains("attest pass") && !attest.stderr.contains("attest pass"))
        let attested = try json(attest.stdout)
        let entries = try #require(attested["attested"] as? [[String: Any]])
        let named = entries.map { "\($0["name"] as? String ?? "?") \($0["subject"] as? String ?? "?")" }.sorted()
        let expected =
            ([index.digest] + children).map { "provenance \($0)" } + children.map { "sbom \($0)" }
        #expect(named == expected.sorted())
        #expect((attested["signed"] as? [Any])?.count == 3)
        #expect(entries.allSatisfy { ($0["legacyTag"] as? String)?.hasSuffix(".att") == true })
        let tags = try cli.run(["registry", "ls", repo], in: "/").stdout.split(separator: "\n").map(String.init)
        for subject in [index.digest] + children {
            #expect(tags.contains("sha256-\(subject.hex).att") && tags.contains("sha256-\(subject.hex).sig"), "\(tags)")
        }

        // Attested: verified, in text and JSON, and the source rules that match pass too.
        let verified = try cli.run(["verify", image, "--key", "signer.pub"] + require, in: directory)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.hasSuffix("verified: \(image)\n") && verified.stderr.isEmpty)
        #expect(verified.stdout.components(separatedBy: "provenance at ").count - 1 >= 3)
        let verifiedJSON = try json(
            try cli.run(["verify", "--json", image, "--key", "signer.pub"] + require, in: directory).stdout)
        #expect(verifiedJSON["verified"] as? Bool == true)
        #expect((verifiedJSON["policyViolations"] as? [Any])?.isEmpty == true)
        #expect((verifiedJSON["subjects"] as? [String]) == ([index.digest] + children).map(\.description))
        let findings = try #require(verifiedJSON["findings"] as? [[String: Any]])
        func accepted(_ predicateType: String, on subject: Digest) -> Bool {
            findings.contains {
                $0["predicateType"] as? String == predicateType && $0["subject"] as? String == subject.description
                    && $0["accepted"] as? Bool == true && $0["kind"] as? String == "attestation"
            }
        }
        for subject in [index.digest] + children {
            #expect(accepted(TrustFormats.slsaProvenancePredicate, on: subject), "provenance on \(subject)")
        }
        for child in children { #expect(accepted(TrustFormats.spdxPredicate, on: child), "sbom on \(child)") }
        #expect(!accepted(TrustFormats.spdxPredicate, on: index.digest), "the index has no SBOM of its own")
        let matching = try cli.run(
            [
                "verify", image, "--key", "signer.pub", "--source-repository", "https://github.com/ACME/api.git",
                "--source-ref", "refs/heads/main", "--source-ref", "refs/tags/v1*",
            ] + require, in: directory)
        #expect(matching.status == 0, "\(matching.stderr)")

        // Another key: refused, one line, and every finding in the JSON says why.
        let other = try cli.run(["verify", image, "--key", "other.pub"] + require, in: directory)
        #expect(other.status == 4 && oneLine(other) && other.stderr.contains("no valid signature by key"), "\(other.stderr)")
        let otherJSON = try cli.run(["verify", "--json", image, "--key", "other.pub"] + require, in: directory)
        #expect(otherJSON.status == 4)
        let otherDocument = try json(otherJSON.stdout)
        #expect(otherDocument["verified"] as? Bool == false)
        #expect((otherDocument["unsigned"] as? [String])?.count == 3)
        let otherFindings = try #require(otherDocument["findings"] as? [[String: Any]])
        #expect(!otherFindings.isEmpty && otherFindings.allSatisfy { $0["accepted"] as? Bool == false })
        // Bundles name their key (another one); legacy .sig/.att layers name none, so their signature just doesn't verify.
        let reasons = otherFindings.map { "\($0["kind"] as? String ?? "?"): \($0["reason"] as? String ?? "?")" }
        #expect(
            reasons.allSatisfy { $0.contains("signed by another key") || $0.contains("doesn't verify with key") }
                && reasons.contains { $0.hasPrefix("attestation: signed by another key") }
                && reasons.contains { $0.hasPrefix("cosign-legacy-attestation: the DSSE signature doesn't verify") },
            "\(reasons)")

        // A provenance of refs/tags/v1.2.0 doesn't meet refs/tags/v9*: refused on every subject.
        let wrongRef = try cli.run(
            ["verify", image, "--key", "signer.pub", "--source-ref", "refs/tags/v9*"] + require, in: directory)
        #expect(wrongRef.status == 4 && oneLine(wrongRef), "\(wrongRef.stderr)")
        #expect(wrongRef.stderr.contains("provenance of ref 'refs/tags/v1.2.0', not refs/tags/v9*"), "\(wrongRef.stderr)")
        let wrongRefJSON = try cli.run(
            ["verify", "--json", image, "--key", "signer.pub", "--source-ref", "refs/tags/v9*"] + require, in: directory)
        #expect(wrongRefJSON.status == 4)
        let wrongRefDocument = try json(wrongRefJSON.stdout)
        #expect(wrongRefDocument["verified"] as? Bool == false && (wrongRefDocument["unsigned"] as? [String])?.isEmpty == true)
        let violations = try #require(wrongRefDocument["policyViolations"] as? [String])
        #expect(violations.count == 3 && violations.allSatisfy { $0.contains("not refs/tags/v9*") }, "\(violations)")
    }
}
