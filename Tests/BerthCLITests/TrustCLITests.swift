import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth key generate, sign and verify through the built binary")
struct TrustCLITests {
    let cli: CLIHarness
    let directory: String

    init() throws {
        cli = try CLIHarness()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trust-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: "\(directory)/\(path)")[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("key generate: refuses an empty passphrase, writes 0600 encrypted PKCS#8 and a PKIX public key, never overwrites")
    func keyGenerate() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refused = try cli.run(["key", "generate"], in: directory)
        #expect(refused.status == 64 && refused.stderr.contains("BERTH_KEY_PASSPHRASE is unset or empty"), "\(refused.stderr)")
        let empty = try cli.run(["key", "generate"], in: directory, environment: ["BERTH_KEY_PASSPHRASE": ""])
        #expect(empty.status == 64)
        let made = try cli.run(
            ["key", "generate", "--json"], in: directory, environment: ["BERTH_KEY_PASSPHRASE": "pass phrase 1"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains(#""algorithm" : "ecdsa-p256""#) && made.stdout.contains(#""encrypted" : true"#))
        #expect(!made.stdout.contains("pass phrase 1") && !made.stderr.contains("pass phrase 1"))
        #expect(try mode("berth.key") == 0o600)
        #expect(try mode("berth.pub") == 0o644)
        let keyText = try String(contentsOfFile: "\(directory)/berth.key", encoding: .utf8)
        #expect(keyText.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let again = try cli.run(["key", "generate"], in: directory, environment: ["BERTH_KEY_PASSPHRASE": "pass phrase 2"])
        #expect(again.status == 3 && again.stderr.contains("never overwrites"))
        #expect(try String(contentsOfFile: "\(directory)/berth.key", encoding: .utf8) == keyText)
        let forced = try cli.run(
            ["key", "generate", "--force", "--algorithm", "ed25519", "--passphrase-env", "MY_PASS"], in: directory,
            environment: ["MY_PASS": "another"])
        #expect(forced.status == 0 && forced.stdout.contains("ed25519, encrypted"), "\(forced.stderr)")
        #expect(try mode("berth.key") == 0o600)
        let plain = try cli.run(["key", "generate", "-o", "plain", "--unencrypted"], in: directory)
        #expect(plain.status == 0)
        #expect(try String(contentsOfFile: "\(directory)/plain.key", encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let bad = try cli.run(["key", "generate", "--algorithm", "rsa", "--unencrypted", "-o", "r"], in: directory)
        #expect(bad.status == 64 && bad.stderr.contains("use ecdsa-p256 or ed25519"))
    }

    @Test(
        "sign and verify against a real registry: verified (exit 0), another key refused (exit 4), a tag refused (64), skopeo keeps digests",
        .requires(.dockerRegistry, .skopeo))
    func signAndVerify() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try RegistryServer()
        defer { server.stop() }
        let layout = "\(directory)/layout"
        let index = try await TestImages.pushIndex(
            into: try OCILayoutStore(path: layout, create: true), repository: "", tag: "v1", seed: "trust-cli")
        let repo = "\(server.host)/acme/api"
        #expect(try cli.run(["registry", "cp", "oci:\(layout):v1", repo], in: "/").status == 0)
        let passphrase = ["BERTH_KEY_PASSPHRASE": "signing pass"]
        #expect(try cli.run(["key", "generate", "-o", "signer"], in: directory, environment: passphrase).status == 0)
        #expect(
            try cli.run(["key", "generate", "-o", "other", "--algorithm", "ed25519"], in: directory, environment: passphrase)
                .status == 0)

        let tag = try cli.run(["sign", "\(repo):v1", "--key", "signer.key"], in: directory, environment: passphrase)
        #expect(tag.status == 64 && tag.stderr.contains("names a tag; sign a digest"))
        let wrong = try cli.run(
            ["sign", "\(repo)@\(index.digest)", "--key", "signer.key"], in: directory,
            environment: ["BERTH_KEY_PASSPHRASE": "nope"])
        #expect(
            wrong.status == 64 && wrong.stderr.contains("can't be decrypted") && !wrong.stderr.contains("nope"), "\(wrong.stderr)"
        )

        let sign = try cli.run(
            ["sign", "--json", "\(repo)@\(index.digest)", "--key", "signer.key"], in: directory, environment: passphrase)
        #expect(sign.status == 0, "\(sign.stderr)")
        #expect(sign.stdout.components(separatedBy: "\"referrer\"").count == 4)
        #expect(!sign.stdout.contains("signing pass") && !sign.stderr.contains("signing pass"))
        let tags = try cli.run(["registry", "ls", repo], in: "/").stdout.split(separator: "\n").map(String.init)
        #expect(tags.contains("sha256-\(index.digest.hex)") && tags.contains("sha256-\(index.digest.hex).sig"))

        let verify = try cli.run(["verify", "\(repo)@\(index.digest)", "--key", "signer.pub"], in: directory)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.components(separatedBy: ": accepted").count == 7)
        #expect(verify.stdout.hasSuffix("verified: \(repo)@\(index.digest)\n"))
        let json = try cli.run(["verify", "--json", "\(repo)@\(index.digest)", "--key", "signer.pub"], in: directory)
        #expect(
            json.status == 0 && json.stdout.contains(#""verified" : true"#)
                && json.stdout.contains(#""kind" : "sigstore-bundle""#))

        let other = try cli.run(["verify", "--json", "\(repo)@\(index.digest)", "--key", "other.pub"], in: directory)
        #expect(other.status == 4, "\(other.stderr)")
        #expect(other.stdout.contains(#""verified" : false"#) && other.stdout.contains("signed by another key"))
        #expect(other.stderr.contains("no valid signature by key"))

        // skopeo copies the image and its .sig tags by digest; berth verifies the copy from the legacy tags alone.
        let mirror = "\(server.host)/acme/mirror"
        let skopeo = ["--src-tls-verify=false", "--dest-tls-verify=false"]
        try Shell.run(
            "/usr/bin/skopeo",
            ["copy", "--all", "--preserve-digests"] + skopeo + ["docker://\(repo)@\(index.digest)", "docker://\(mirror):copied"]
        ).check()
        let copiedDigest = try cli.run(["registry", "digest", "\(mirror):copied"], in: "/").stdout
        #expect(copiedDigest == "\(index.digest)\n")
        for subject in [index.digest] + (try index.index().manifests.map(\.digest)) {
            let sigTag = "sha256-\(subject.hex).sig"
            try Shell.run(
                "/usr/bin/skopeo",
                ["copy", "--preserve-digests"] + skopeo + ["docker://\(repo):\(sigTag)", "docker://\(mirror):\(sigTag)"]
            ).check()
        }
        let copied = try cli.run(["verify", "\(mirror)@\(index.digest)", "--key", "signer.pub"], in: directory)
        #expect(
            copied.status == 0 && copied.stdout.contains("cosign-legacy") && !copied.stdout.contains("sigstore-bundle"),
            "\(copied.stdout)\(copied.stderr)")
        let quiet = try cli.run(["verify", "\(mirror)@\(index.digest)", "--key", "signer.pub", "-q"], in: directory)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty)
    }

    @Test(
        "berth promote into an environment with verify.keys: exit 4 until the digest is signed by a trusted key; an unreadable key is 64"
    )
    func promoteRequiresSignature() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repo = try GitRepoBuilder()
        let layout = repo.path + "/../store"
        let store = try OCILayoutStore(path: layout, create: true)
        let config = """
            image:
              names: [oci:\(layout)]
            ledger: ../ledger.sqlite
            environments:
              - name: dev
                verify:
                  keys: [keys/release.pub]
              - name: prod
                require_final: true
            """
        try repo.write("berth.yaml", config + "\n")
        try repo.git("add", "berth.yaml")
        try repo.commit("feat: first endpoint")
        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: repo.environment)
        }
        let head = try repo.git("rev-parse", "--short=7", "HEAD")
        let build = try await TestImages.pushIndex(into: store, repository: "", tag: "sha-\(head)", seed: "promote-trust")
        #expect(try berth("plan", "--record", "--quiet").status == 0)
        try LifecycleCLITests.releaseCleared(
            cli, repo: repo, image: "oci:\(layout)", digest: build.digest.description, environment: repo.environment)

        let noKey = try berth("promote", "0.1.0", "--to", "dev")
        #expect(noKey.status == 64 && noKey.stderr.contains("environment 'dev' verify key"), "\(noKey.stderr)")
        try FileManager.default.createDirectory(atPath: repo.path + "/keys", withIntermediateDirectories: true)
        #expect(try berth("key", "generate", "--unencrypted", "-o", "keys/release").status == 0)
        #expect(try berth("key", "generate", "--unencrypted", "-o", "keys/intruder").status == 0)

        let unsigned = try berth("promote", "0.1.0", "--to", "dev")
        #expect(unsigned.status == 4 && unsigned.stderr.contains("requires a signature"), "\(unsigned.stderr)")
        #expect(try await store.resolve("", reference: "v0.1.0-dev") == nil, "nothing moved")
        #expect(try berth("sign", "oci:\(layout)@\(build.digest)", "--key", "keys/intruder.key").status == 0)
        let intruder = try berth("promote", "0.1.0", "--to", "dev")
        #expect(intruder.status == 4 && intruder.stderr.contains("signed by another key"), "\(intruder.stderr)")
        let signed = try berth("sign", "oci:\(layout)@\(build.digest)", "--key", "keys/release.key")
        #expect(signed.status == 0, "\(signed.stderr)")
        let promoted = try berth("promote", "0.1.0", "--to", "dev")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try await store.resolve("", reference: "v0.1.0-dev")?.digest == build.digest)
    }

    @Test(
        "help for key generate, key layout, sign, attest and verify matches its golden file",
        arguments: [["key", "generate"], ["key", "layout"], ["sign"], ["attest"], ["verify"]])
    func help(command: [String]) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try cli.run(["help"] + command, in: "/", environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        CLIHarness.expectGolden(result.stdout, "help\(command.map { "-" + $0 }.joined()).txt")
    }
}
