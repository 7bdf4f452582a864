import BerthConfig
import BerthCore
import Testing

@Suite("berth.yaml environments[].verify")
struct VerifyConfigTests {
    @Test("verify.keys lists the public keys an environment trusts; environments without it require nothing")
    func keys() throws {
        let config = try ConfigurationLoader.parse(
            """
            environments:
              - name: dev
              - name: prod
                require_final: true
                verify:
                  keys: [keys/release.pub, /etc/berth/ops.pub]
            """, file: "berth.yaml")
        #expect(config.environments.map(\.verifyKeys) == [[], ["keys/release.pub", "/etc/berth/ops.pub"]])
        #expect(config.environments[1].requireFinal)
    }

    @Test("verify.require, source_repository and source_ref become the attestation policy berth verify applies")
    func attestations() throws {
        let config = try ConfigurationLoader.parse(
            """
            environments:
              - name: staging
                verify:
                  keys: [keys/release.pub]
                  require: [sbom, https://example.com/review/v1]
              - name: prod
                verify:
                  keys: [keys/release.pub]
                  require: [provenance, sbom, vulnerabilities, sbom]
                  source_repository: https://github.com/acme/api
                  source_ref: [refs/heads/main, refs/tags/v*]
            """, file: "berth.yaml")
        let (staging, prod) = (config.environments[0].verifyAttestations, config.environments[1].verifyAttestations)
        #expect(staging == AttestationPolicy(required: [TrustFormats.spdxPredicate, "https://example.com/review/v1"]))
        #expect(
            prod.required == [
                TrustFormats.slsaProvenancePredicate, TrustFormats.spdxPredicate, TrustFormats.verificationSummaryPredicate,
            ])
        #expect(prod.repositories == ["https://github.com/acme/api"])
        #expect(prod.refs == ["refs/heads/main", "refs/tags/v*"])
        // A source rule alone requires the provenance it judges.
        let sourceOnly = try ConfigurationLoader.parse(
            "environments:\n  - name: prod\n    verify:\n      keys: [k.pub]\n      source_ref: refs/heads/main\n",
            file: "berth.yaml")
        #expect(sourceOnly.environments[0].verifyAttestations.required == [TrustFormats.slsaProvenancePredicate])
        #expect(
            try ConfigurationLoader.parse("environments:\n  - name: dev\n", file: "f").environments[0].verifyAttestations.isEmpty)
    }

    @Test(
        "a bad require, source_repository or source_ref is refused at its own line",
        arguments: [
            ("require: [provenance, signed-off]", "unknown attestation 'signed-off'", 6),
            ("require: []", "'environments[0].verify.require' is an empty list", 6),
            ("require: {a: b}", "must be a list", 6),
            ("source_repository: \"\"", "is empty", 6),
            ("source_repository: []", "is an empty list", 6),
            ("source_ref: [refs/heads/main, main]", "'main' is not a full ref; write refs/heads/main", 6),
        ])
    func attestationRefusals(line: String, says: String, at row: Int) {
        let error = #expect(throws: BerthError.self) {
            try ConfigurationLoader.parse(
                "environments:\n  - name: prod\n    verify:\n      keys: [k.pub]\n\n      \(line)\n", file: "berth.yaml")
        }
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("berth.yaml:\(row):") == true, "\(error?.message ?? "")")
        #expect(error?.kind == .usage)
    }

    @Test(
        "a verify without keys, with an empty list or an unknown key is refused at its line",
        arguments: [
            ("verify: {}", "needs 'keys'"),
            ("verify: {keys: []}", "at least one public key file"),
            ("verify: {keys: [\"\"]}", "none empty"),
            ("verify: {key: a.pub}", "key"),
            ("verify: {require: [provenance]}", "needs 'keys'"),
        ])
    func refusals(line: String, says: String) {
        let error = #expect(throws: BerthError.self) {
            try ConfigurationLoader.parse("environments:\n  - name: prod\n    \(line)\n", file: "berth.yaml")
        }
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("berth.yaml:3") == true, "\(error?.message ?? "")")
    }
}
