import BerthTestSupport
import Foundation
import Testing

/// berth.yaml's `environments[].verify` with `require`, `source_repository` and `source_ref`, enforced by
/// `berth promote` through the built binary on Docker Distribution 2.8: refused (exit 4, one line naming
/// what is missing or wrong) until the digest carries a provenance by the trusted key from the right
/// repository and ref, then promoted.
@Suite("berth promote into an environment with an attestation policy, on Docker Distribution 2.8", .requires(.dockerRegistry))
struct PromotePolicyCLITests {
    static let policy = """
        environments:
          - name: dev
            verify:
              keys: [keys/release.pub]
              require: [provenance]
              source_repository: https://github.com/acme/api
              source_ref: refs/heads/main
          - name: prod
            require_final: true
        """

    /// stderr is one line: `berth: error: …` and a newline.
    static func oneLine(_ result: ShellResult) -> Bool {
        result.stderr.hasPrefix("berth: error: ") && result.stderr.hasSuffix("\n")
            && result.stderr.dropLast().split(separator: "\n").count == 1
    }

    @Test(
        "a signature alone, a provenance by another key, from another repository or of another ref: 4 with one line; the matching one: promoted"
    )
    func promoteNeedsMatchingProvenance() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/api"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        try repo.write("berth.yaml", "image:\n  names: [\(image)]\nledger: ../ledger.sqlite\n\(Self.policy)\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("chore: trust policy for dev")
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: repo.environment)
        }
        #expect(try berth("plan", "--record", "--quiet").status == 0)
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: repo.environment)
        // Keys outside the work tree's commits: the release needs a clean tree, the promotion only reads them.
        try FileManager.default.createDirectory(atPath: repo.path + "/keys", withIntermediateDirectories: true)
        #expect(try berth("key", "generate", "--unencrypted", "-o", "keys/release").status == 0)
        #expect(try berth("key", "generate", "--unencrypted", "-o", "keys/intruder").status == 0)
        let pinned = "\(image)@\(digest)"
        func devTag() throws -> String? {
            let found = try berth("registry", "digest", "\(image):v0.1.0-dev")
            return found.status == 0 ? found.stdout.trimmingCharacters(in: .newlines) : nil
        }
        func attest(_ key: String, repository: String, ref: String) throws -> ShellResult {
            try berth(
                "attest", pinned, "--key", "keys/\(key).key", "--no-sbom", "--source-repository", repository, "--ref", ref,
                "--commit", String(repeating: "ab", count: 20))
        }

        // Signed by the trusted key, nothing attested: the signature passes, the policy doesn't.
        #expect(try berth("sign", pinned, "--key", "keys/release.key").status == 0)
        let signedOnly = try berth("promote", "0.1.0", "--to", "dev")
        #expect(signedOnly.status == 4 && Self.oneLine(signedOnly), "\(signedOnly.stdout)\(signedOnly.stderr)")
        #expect(
            signedOnly.stderr.contains(
                "environment 'dev' requires a provenance from https://github.com/acme/api of refs/heads/main by a trusted key"),
            "\(signedOnly.stderr)")
        #expect(signedOnly.stderr.contains("no provenance attestation by the key"), "\(signedOnly.stderr)")
        #expect(try devTag() == nil, "nothing moved")

        // A provenance with the right source, signed by a key dev doesn't trust.
        #expect(try attest("intruder", repository: "https://github.com/acme/api", ref: "refs/heads/main").status == 0)
        let intruder = try berth("promote", "0.1.0", "--to", "dev")
        #expect(intruder.status == 4 && Self.oneLine(intruder), "\(intruder.stderr)")
        #expect(intruder.stderr.contains("found one refused: signed by another key"), "\(intruder.stderr)")

        // By the trusted key, from another repository; then of another ref.
        #expect(try attest("release", repository: "https://github.com/evil/api", ref: "refs/heads/main").status == 0)
        let evil = try berth("promote", "0.1.0", "--to", "dev")
        #expect(evil.status == 4 && Self.oneLine(evil), "\(evil.stderr)")
        #expect(
            evil.stderr.contains("provenance from repository 'https://github.com/evil/api', not https://github.com/acme/api"),
            "\(evil.stderr)")
        #expect(try attest("release", repository: "https://github.com/acme/api", ref: "refs/heads/feature").status == 0)
        let feature = try berth("promote", "0.1.0", "--to", "dev")
        #expect(feature.status == 4 && Self.oneLine(feature), "\(feature.stderr)")
        #expect(feature.stderr.contains("provenance of ref 'refs/heads/feature', not refs/heads/main"), "\(feature.stderr)")
        let dryRun = try berth("promote", "0.1.0", "--to", "dev", "--dry-run")
        #expect(dryRun.status == 4, "a dry run is judged the same: \(dryRun.stderr)")
        #expect(try devTag() == nil, "nothing moved")

        // The server's promote path runs the same PromotionService: the same refusal, 409 with the reason.
        let promoter = try berth("token", "create", "--role", "promoter", "--name", "release-bot").stdout
            .trimmingCharacters(in: .newlines)
        let server = try ServeProcess(cli: cli, arguments: ["serve", "--listen", "127.0.0.1:0"], directory: repo.path)
        defer { server.stop() }
        let base = try server.waitForURL()
        let body = #"{"repository": "\#(image)", "version": "0.1.0", "environment": "dev", "digest": "\#(digest)"}"#
        let served = try HTTP.post(base + "api/v1/promotions", json: body, token: promoter)
        let servedText = String(decoding: served.body, as: UTF8.self)
        #expect(served.status == 409, "\(served.status) \(servedText)")
        #expect(servedText.contains("provenance of ref 'refs/heads/feature', not refs/heads/main"), "\(servedText)")
        #expect(try devTag() == nil, "nothing moved")

        // The matching provenance by the trusted key: promoted, and a re-run has nothing to do.
        #expect(try attest("release", repository: "https://github.com/acme/api.git", ref: "refs/heads/main").status == 0)
        let promoted = try berth("promote", "0.1.0", "--to", "dev")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try devTag() == digest)
        #expect(try berth("promote", "0.1.0", "--to", "dev").status == 0)
    }

    @Test("a policy berth can't read is refused before anything is checked: an unknown attestation is 64 at its line")
    func badPolicy() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.write(
            "berth.yaml",
            "image:\n  names: [oci:../store]\nenvironments:\n  - name: dev\n    verify:\n      keys: [k.pub]\n      require: [provenanse]\n"
        )
        let result = try cli.run(["promote", "0.1.0", "--to", "dev"], in: repo.path, environment: repo.environment)
        #expect(result.status == 64 && Self.oneLine(result), "\(result.stderr)")
        #expect(result.stderr.contains("berth.yaml:7:") && result.stderr.contains("unknown attestation 'provenanse'"))
    }
}
