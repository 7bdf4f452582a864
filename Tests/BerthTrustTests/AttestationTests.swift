import BerthCore
import BerthOCI
import BerthRegistry
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTrust

/// What a test attests: a provenance from a `go version -m` text, an SPDX SBOM, a gate decision.
enum AttestationFixtures {
    static let goVersionM = """
        /tmp/server: go1.22.2
        \tpath\texample.com/hello/cmd/server
        \tmod\texample.com/hello\t(devel)\t
        \tdep\tgithub.com/gin-gonic/gin\tv1.9.1\th1:4idEAncQnU5cB7BeOkPtxjfCSye0AAm1R0RVIqJ+Jmg=
        \tdep\tgolang.org/x/net\tv0.21.0\th1:AQyQV4dYCvJ7vGmJyKki9+PBdyvhkSd8EIx/qb0AYv4=
        \tdep\texample.com/local\tv0.0.0
        \t=>\t../local\t(devel)\t
        \tbuild\t-trimpath=true
        \tbuild\tCGO_ENABLED=0
        """

    static func provenance() throws -> SLSAProvenance {
        let info = try GoBuildInfo(parsing: goVersionM)
        return SLSAProvenance(
            source: .init(
                repository: "https://github.com/acme/api", commit: String(repeating: "a1", count: 20), ref: "refs/heads/main"),
            version: "1.2.0", platforms: [], main: info.path, baseImage: nil, goVersion: info.goVersion,
            modules: info.dependencies, berthVersion: "0.1.0", invocationID: "run-7", startedOn: "2026-12-01T21:00:00Z",
            finishedOn: "2026-12-01T21:00:04Z")
    }

    static func sbom(subject: Digest) throws -> Data {
        try SPDXDocument(
            name: "acme/api", version: "1.2.0", buildInfo: GoBuildInfo(parsing: goVersionM), subject: subject,
            created: "2026-12-01T21:00:00Z"
        ).bytes
    }

    static func gate(_ digest: Digest, outcome: GateDecision.Outcome = .pass) -> VerificationSummary {
        let decision = GateDecision(
            outcome: outcome, counts: [.critical: 0, .high: 1], reasons: [], excepted: [], image: digest,
            report: .sha256(of: Data("trivy report".utf8)), scanner: .trivy)
        return VerificationSummary(
            gate: GateRecord(
                decision: decision, repository: "registry.example/acme/api", version: "1.2.0", environment: "prod",
                gitSHA: nil, reportFile: "trivy.json"),
            resourceURI: "registry.example/acme/api@\(digest)", timeVerified: "2026-12-01T21:01:00Z",
            policyDigest: .sha256(of: Data("berth.yaml".utf8)), berthVersion: "0.1.0")
    }
}

@Suite("attestations: provenance, SBOM and gate summary signed as DSSE and checked")
struct AttestationTests {
    let digest = Digest.sha256(of: Data("an image manifest".utf8))

    @Test("the provenance names berth's build type, the commit, every Go module with its dirHash, the builder and times")
    func provenanceShape() throws {
        let predicate = try AttestationFixtures.provenance().predicate
        let definition = try #require(predicate["buildDefinition"])
        #expect(definition["buildType"]?.stringValue == "urn:berth:build-type:go-image:v1")
        #expect(definition["externalParameters"]?["repository"]?.stringValue == "https://github.com/acme/api")
        #expect(definition["externalParameters"]?["ref"]?.stringValue == "refs/heads/main")
        let dependencies = try #require(definition["resolvedDependencies"]?.arrayValue)
        #expect(dependencies.first?["uri"]?.stringValue == "git+https://github.com/acme/api@refs/heads/main")
        #expect(dependencies.first?["digest"]?["gitCommit"]?.stringValue == String(repeating: "a1", count: 20))
        let gin = try #require(dependencies.first { $0["name"]?.stringValue == "github.com/gin-gonic/gin" })
        #expect(gin["uri"]?.stringValue == "pkg:golang/github.com/gin-gonic/gin@v1.9.1")
        // h1:4idEAncQ… is base64 of these 32 bytes.
        #expect(gin["digest"]?["dirHash"]?.stringValue == "e227440277109d4e5c07b05e3a43edc637c24b27b40009b547445522a27e2668")
        let local = try #require(dependencies.first { $0["name"]?.stringValue == "example.com/local" })
        #expect(local["uri"] == nil && local["digest"] == nil)
        #expect(local["annotations"]?["replacedBy"]?.stringValue == "../local (devel)")
        #expect(dependencies.count == 1 + 1 + 3)
        #expect(predicate["runDetails"]?["builder"]?["version"]?["berth"]?.stringValue == "0.1.0")
        #expect(predicate["runDetails"]?["metadata"]?["finishedOn"]?.stringValue == "2026-12-01T21:00:04Z")
    }

    @Test(
        "an attestation verifies with the key; another key, a flipped byte or another digest is refused",
        arguments: KeyAlgorithm.allCases)
    func signAndCheck(algorithm: KeyAlgorithm) throws {
        let key = SigningKey(generating: algorithm)
        let signed = try KeySigner(key: key).attestation(try AttestationFixtures.provenance().attestation, about: digest)
        let verifier = KeyVerifier(key: key.publicKey)
        let accepted = verifier.checkAttestation(signed.bundle, subject: digest)
        #expect(accepted.verdict.accepted, "\(accepted.verdict.reason)")
        #expect(accepted.predicateType == TrustFormats.slsaProvenancePredicate)
        #expect(accepted.predicate == (try AttestationFixtures.provenance().predicate))
        #expect(verifier.checkAttestationEnvelope(signed.envelope, subject: digest).verdict.accepted)
        // A provenance is not a signature: berth sign's check refuses it.
        #expect(!verifier.checkBundle(signed.bundle, subject: digest).accepted)

        let other = KeyVerifier(key: SigningKey(generating: algorithm).publicKey)
        #expect(other.checkAttestation(signed.bundle, subject: digest).verdict.reason.contains("signed by another key"))
        #expect(!verifier.checkAttestation(signed.bundle, subject: .sha256(of: Data("x".utf8))).verdict.accepted)
        var envelope = try JSONDecoder().decode(DSSEEnvelope.self, from: signed.envelope)
        envelope.payload[envelope.payload.count / 2] ^= 0x01
        let flipped = verifier.checkAttestationEnvelope(try CanonicalJSON.encode(envelope), subject: digest)
        #expect(!flipped.verdict.accepted && flipped.predicate == nil)
    }
}

@Suite("attesting against Docker Distribution 2.8 (the fallback index and .att tags)", .requires(.dockerRegistry))
struct RegistryAttestationTests {
    @Test(
        "sign and attest an index in one pass: every subject signed with a provenance, the SBOM and gate summary on the index; verified; policy; tampered refused"
    )
    func attestIndex() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let store = RegistryClient(host: server.host, transport: AsyncHTTPClientTransport.shared)
        let index = try await TestImages.pushIndex(into: store, repository: "acme/api", tag: "v1", seed: "attest")
        let key = SigningKey(generating: .ecdsaP256)
        let request = AttestationService.Request(
            sign: true, provenance: try AttestationFixtures.provenance(),
            sbom: .document(try AttestationFixtures.sbom(subject: index.digest)),
            vulnerabilities: AttestationFixtures.gate(index.digest))
        let outcome = try await AttestationService(store: store, signer: KeySigner(key: key)).attest(
            "acme/api", digest: index.digest, dockerReference: "\(server.host)/acme/api", created: "2026-12-01T21:00:00Z",
            request: request)
        #expect(outcome.signed.count == 3)
        #expect(outcome.attested.filter { $0.subject == index.digest }.map(\.name) == ["provenance", "sbom", "vulnerabilities"])
        #expect(outcome.attested.count == 3 + 2)

        // The fallback index lists the signature and each attestation once, with its predicate type.
        let fallback = try await store.fetchManifest("acme/api", reference: "sha256-\(index.digest.hex)").index()
        #expect(
            Set(fallback.manifests.compactMap { $0.annotations?[TrustFormats.bundlePredicateTypeAnnotation] }) == [
                TrustFormats.cosignSignPredicate, TrustFormats.slsaProvenancePredicate, TrustFormats.spdxPredicate,
                TrustFormats.verificationSummaryPredicate,
            ])
        let att = try await store.fetchManifest("acme/api", reference: "sha256-\(index.digest.hex).att").manifest()
        #expect(att.layers.map(\.mediaType) == Array(repeating: TrustFormats.dsseEnvelopeMediaType, count: 3))

        let verifier = KeyVerifier(key: key.publicKey)
        let report = try await VerificationService(store: store, verifier: verifier).verify(
            "acme/api", digest: index.digest, reference: "acme/api@\(index.digest)")
        #expect(report.verified)
        let attestations = report.findings.filter { !$0.kind.isSignature }
        #expect(attestations.count == 2 * 5 && attestations.allSatisfy(\.verdict.accepted))
        let platformProvenance = try #require(
            report.attestations(TrustFormats.slsaProvenancePredicate, on: report.subjects[1]).first)
        #expect(platformProvenance.predicate?["buildDefinition"]?["externalParameters"]?["platforms"]?.stringArray?.count == 1)

        let provenanceOnly = AttestationPolicy(
            required: [TrustFormats.slsaProvenancePredicate, TrustFormats.verificationSummaryPredicate],
            repositories: ["https://github.com/acme/api.git"], refs: ["refs/heads/*"])
        #expect(provenanceOnly.violations(report).isEmpty)
        let sbomEverywhere = AttestationPolicy(required: [TrustFormats.spdxPredicate])
        #expect(sbomEverywhere.violations(report).count == 2, "the platform manifests carry no SBOM attestation")
        let otherSource = AttestationPolicy(repositories: ["https://github.com/evil/api"], refs: ["refs/tags/v*"])
        let refused = otherSource.violations(report)
        #expect(refused.count == 3 && refused.allSatisfy { $0.contains("not https://github.com/evil/api") })

        // A writer without the key adds a tampered attestation to a second image: refused, both forms.
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v2", seed: "attest-tamper")
        _ = try await AttestationService(store: store, signer: TamperingSigner(inner: KeySigner(key: key))).attest(
            "acme/api", digest: image.digest, dockerReference: "\(server.host)/acme/api", created: "2026-12-01T21:00:00Z",
            request: .init(provenance: try AttestationFixtures.provenance()))
        let tampered = try await VerificationService(store: store, verifier: verifier).verify(
            "acme/api", digest: image.digest, reference: "acme/api@\(image.digest)")
        #expect(tampered.findings.map(\.kind) == [.attestation, .legacyAttestation])
        #expect(tampered.findings.allSatisfy { !$0.verdict.accepted && $0.verdict.reason.contains("doesn't verify") })
        #expect(!AttestationPolicy(required: [TrustFormats.slsaProvenancePredicate]).violations(tampered).isEmpty)
    }
}

/// berth's attestations read by in-toto-attestation (the statement, the SLSA provenance v1 and
/// verification summary v1 predicates, parsed strictly by their protobuf schemas: an unknown or
/// mistyped field fails) after securesystemslib verified the DSSE signature; a flipped byte or
/// another key fails the same script.
@Suite("third-party verifiers read berth's attestations", .requires(.trustVenv))
struct AttestationInteropTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attest-3p-\(UUID().uuidString)").path
    let digest = Digest.sha256(of: Data("an image manifest".utf8))

    static let script = """
        import json, sys, re
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        from securesystemslib.signer import SSlibKey
        from securesystemslib.dsse import Envelope
        from google.protobuf import json_format
        from in_toto_attestation.v1 import statement_pb2
        from in_toto_attestation.v1.statement import Statement
        from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
        from in_toto_attestation.predicates.vsa.v1 import vsa_pb2
        from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
        envelope = Envelope.from_dict(json.load(open(sys.argv[1])))
        key = SSlibKey.from_crypto(load_pem_public_key(open(sys.argv[2], "rb").read()))
        keyid = next(iter(envelope.signatures))
        envelope.verify([SSlibKey(keyid, key.keytype, key.scheme, key.keyval)], 1)
        statement = json_format.Parse(envelope.payload, statement_pb2.Statement())
        Statement.copy_from_pb(statement).validate()
        predicate = json.dumps(json.loads(envelope.payload)["predicate"])
        kind = statement.predicate_type
        if kind == "https://slsa.dev/provenance/v1":
            p = json_format.Parse(predicate, provenance_pb2.Provenance())
            assert p.build_definition.build_type == "urn:berth:build-type:go-image:v1"
            for d in p.build_definition.resolved_dependencies:
                ResourceDescriptor.copy_from_pb(d).validate()
                for algorithm, value in d.digest.items():
                    assert algorithm in ("gitCommit", "dirHash", "sha256"), algorithm
                    assert re.fullmatch("[0-9a-f]{40}|[0-9a-f]{64}", value), value
            assert p.run_details.builder.id and p.run_details.metadata.finished_on.seconds > 0
            print("provenance", len(p.build_definition.resolved_dependencies))
        elif kind == "https://slsa.dev/verification_summary/v1":
            # in-toto-attestation 0.9.3's proto has verifiedLevels as one string; the SLSA spec (and berth)
            # an array (in-toto/attestation#425): checked here, the rest parsed strictly.
            fields = json.loads(predicate)
            levels = fields.pop("verifiedLevels")
            assert isinstance(levels, list) and all(isinstance(l, str) for l in levels), levels
            v = json_format.Parse(json.dumps(fields), vsa_pb2.VerificationSummary())
            assert v.verification_result in ("PASSED", "FAILED")
            print("vsa", v.verification_result, v.input_attestations[0].digest["sha256"][:12])
        elif kind == "https://spdx.dev/Document":
            print("spdx", json.loads(predicate)["spdxVersion"])
        else:
            raise SystemExit("unexpected predicate " + kind)
        """

    func run(_ envelope: Data, key: VerificationKey) throws -> ShellResult {
        try envelope.write(to: URL(fileURLWithPath: "\(directory)/envelope.json"))
        try Data(key.pem.utf8).write(to: URL(fileURLWithPath: "\(directory)/key.pub"))
        return try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/python", ["-c", Self.script, "envelope.json", "key.pub"], directory: directory
        )
    }

    @Test(
        "in-toto-attestation parses the provenance, SBOM and gate summary strictly; a flipped byte or another key fails",
        arguments: KeyAlgorithm.allCases)
    func strictParse(algorithm: KeyAlgorithm) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = SigningKey(generating: algorithm)
        let signer = KeySigner(key: key)
        let cases: [(Attestation, String)] = [
            (try AttestationFixtures.provenance().attestation, "provenance 5\n"),
            (
                try AttestationService.sbomAttestation(AttestationFixtures.sbom(subject: digest), source: "test"),
                "spdx SPDX-2.3\n"
            ),
            (
                AttestationFixtures.gate(digest).attestation,
                "vsa PASSED \(Digest.sha256(of: Data("trivy report".utf8)).hex.prefix(12))\n"
            ),
            (
                AttestationFixtures.gate(digest, outcome: .block).attestation,
                "vsa FAILED \(Digest.sha256(of: Data("trivy report".utf8)).hex.prefix(12))\n"
            ),
        ]
        for (attestation, expected) in cases {
            let signed = try signer.attestation(attestation, about: digest)
            let good = try run(signed.envelope, key: key.publicKey)
            #expect(good.status == 0 && good.stdout == expected, "\(attestation.name): \(good.stdout) \(good.stderr.suffix(600))")
            var envelope = try JSONDecoder().decode(DSSEEnvelope.self, from: signed.envelope)
            envelope.payload[envelope.payload.count / 3] ^= 0x01
            let tampered = try run(try CanonicalJSON.encode(envelope), key: key.publicKey)
            #expect(tampered.status != 0 && tampered.stderr.contains("VerificationError"), "\(tampered.stderr)")
            let other = try run(signed.envelope, key: SigningKey(generating: algorithm).publicKey)
            #expect(other.status != 0 && other.stderr.contains("VerificationError"), "\(other.stderr)")
        }
    }

    @Test("a predicate with a field SLSA provenance v1 doesn't define fails in-toto-attestation's strict parse")
    func strictParseCatchesUnknownFields() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = SigningKey(generating: .ed25519)
        var predicate = try AttestationFixtures.provenance().predicate
        predicate["buildDefinition"]?["buildTyp"] = .string("typo")
        let signed = try KeySigner(key: key).attestation(
            Attestation(name: "provenance", predicateType: TrustFormats.slsaProvenancePredicate, predicate: predicate),
            about: digest)
        let result = try run(signed.envelope, key: key.publicKey)
        #expect(result.status != 0 && result.stderr.contains("buildTyp"), "\(result.stderr)")
    }
}
