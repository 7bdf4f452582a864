import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// berth.yaml's `sign:` through the built binary on Docker Distribution 2.8: `berth build` pushes a
/// two-platform Go image, then signs and attests it (provenance with the build's facts, each platform's
/// SBOM) in the same run; `berth release` finds all of it there and writes nothing twice; `berth promote`
/// into an environment requiring a provenance from the repository and both attestations passes.
@Suite("berth build and release sign with berth.yaml's sign: key, on Docker Distribution 2.8", .requires(.go, .dockerRegistry))
struct BuildSignCLITests {
    static let passphrase = "hello build pass"

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// A committed two-platform Go project pushing to `image`, signing with `keys/release.key` (not
    /// generated yet) under the passphrase variable HELLO_KEY_PASS; its environment, Go offline.
    static func project(image: String) throws -> (repo: GitRepoBuilder, keys: String, environment: [String: String]) {
        let (repo, _) = try LifecycleCLITests.project(image: image)
        let files: [String: String] = [
            "go.mod": "module example.com/hello\n\ngo 1.19\n",
            "main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
            "berth.yaml": """
            image:
              names: [\(image)]
            ledger: ../ledger.sqlite
            labels:
              source: https://github.com/acme/hello
            build:
              platforms: [linux/amd64, linux/arm64]
            sign:
              key: ../keys/release.key
              passphrase_env: HELLO_KEY_PASS
            environments:
              - name: dev
                verify:
                  keys: [../keys/release.pub]
                  require: [provenance, sbom]
                  source_repository: https://github.com/acme/hello
                  source_ref: refs/heads/main
              - name: prod
                require_final: true

            """,
        ]
        for (path, text) in files { try repo.write(path, text) }
        try repo.git("add", "-A")
        try repo.commit("feat: hello")
        let keys = repo.path + "/../keys"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        var environment = repo.environment
        environment["GOFLAGS"] = "-mod=mod"
        environment["GOPROXY"] = "off"
        environment["HELLO_KEY_PASS"] = Self.passphrase
        return (repo, keys, environment)
    }

    @Test("a new digest whose signing fails is pushed but not tagged, with a note saying so")
    func failedSigningLeavesNewDigestUntagged() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let (repo, keys, environment) = try Self.project(image: "\(registry.host)/acme/hello")
        let generated = try cli.run(
            ["key", "generate", "-o", keys + "/release", "--passphrase-env", "HELLO_KEY_PASS"], in: repo.path,
            environment: environment)
        #expect(generated.status == 0, "\(generated.stderr)")
        // The same commit builds the same digest: learnt from a build into another repository.
        let elsewhere = try cli.run(
            ["build", "--json", "--no-record", "--no-sign", "--images", "\(registry.host)/acme/elsewhere"], in: repo.path,
            environment: environment)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        let printed = try #require(try json(elsewhere.stdout)["digest"] as? String)
        let digest = try #require(Digest(printed))
        // Its .sig tag in acme/hello is taken by something that isn't a signature (an empty index), which
        // signing refuses to overwrite: the signing of the new digest fails after its push.
        let empty = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)
        let sigTag = TrustFormats.legacySignatureTag(for: digest)
        var put = URLRequest(url: try #require(URL(string: "http://\(registry.host)/v2/acme/hello/manifests/\(sigTag)")))
        put.httpMethod = "PUT"
        put.setValue(MediaType.ociIndex, forHTTPHeaderField: "Content-Type")
        put.httpBody = empty
        let (_, response) = try await URLSession.shared.data(for: put)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)

        let failed = try cli.run(["build", "--no-record"], in: repo.path, environment: environment)
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stderr.contains("is not a cosign signature manifest"), "\(failed.stderr)")
        #expect(failed.stderr.contains("\(digest) is pushed but not tagged"), "\(failed.stderr)")
        let tags = try cli.run(["registry", "ls", "\(registry.host)/acme/hello"], in: repo.path, environment: environment)
        let listed = tags.stdout.split(separator: "\n").map(String.init)
        #expect(listed.contains(sigTag), "\(tags.stderr)")
        #expect(listed.allSatisfy { $0.hasPrefix("sha256-") }, "no release tag names the unsigned digest: \(listed)")
    }

    @Test(
        "build signs and attests what it pushed; a wrong passphrase pushes nothing; release signs nothing twice; promote's policy passes"
    )
    func buildReleasePromote() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/hello"
        let (repo, keys, environment) = try Self.project(image: image)
        func berth(_ arguments: [String], passphrase: String = Self.passphrase) throws -> ShellResult {
            var environment = environment
            environment["HELLO_KEY_PASS"] = passphrase
            return try cli.run(arguments, in: repo.path, environment: environment)
        }
        let generated = try cli.run(
            ["key", "generate", "-o", keys + "/release", "--passphrase-env", "HELLO_KEY_PASS"], in: repo.path,
            environment: environment)
        #expect(generated.status == 0, "\(generated.stderr)")

        // A wrong passphrase: the key is decrypted while the image builds and refused before anything is
        // pushed, naming the variable, never the value.
        let wrong = try berth(["build"], passphrase: "not it")
        #expect(wrong.status == 64, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("HELLO_KEY_PASS") && !wrong.stderr.contains("not it"), "\(wrong.stderr)")
        #expect(try berth(["registry", "ls", image]).stdout.isEmpty, "nothing was pushed")
        // No passphrase at all is found without decrypting: refused before anything is built.
        var unset = environment
        unset["HELLO_KEY_PASS"] = nil
        let missing = try cli.run(["build"], in: repo.path, environment: unset)
        #expect(missing.status == 64 && missing.stderr.contains("HELLO_KEY_PASS"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("go build"), "nothing was built: \(missing.stderr)")

        // The build pushes, then signs and attests the index and both platform manifests.
        let build = try berth(["build", "--json"])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(!build.stdout.contains(Self.passphrase) && !build.stderr.contains(Self.passphrase))
        let built = try json(build.stdout)
        let digest = try #require(built["digest"] as? String)
        let platforms = try #require(built["images"] as? [[String: Any]]).compactMap { $0["digest"] as? String }
        #expect(platforms.count == 2)
        let signing = try #require(built["signing"] as? [String: Any], "\(build.stdout)")
        let signed = try #require(signing["signed"] as? [[String: Any]]).compactMap { $0["subject"] as? String }
        #expect(signed.sorted() == ([digest] + platforms).sorted())
        let attested = try #require(signing["attested"] as? [[String: Any]]).map {
            "\($0["name"] as? String ?? "?") \($0["subject"] as? String ?? "?")"
        }
        #expect(
            attested.sorted() == (([digest] + platforms).map { "provenance \($0)" } + platforms.map { "sbom \($0)" }).sorted(),
            "\(attested)")

        // The digest was new to the repository, so nothing was verified first: each `.sig` tag was read
        // once before its write and once by the final check.
        let requests = registry.accessLogRequests()
        for subject in [digest] + platforms {
            let tag = TrustFormats.legacySignatureTag(for: try #require(Digest(subject)))
            #expect(requests.filter { $0.hasPrefix("\"GET /v2/acme/hello/manifests/\(tag) ") }.count == 2, "\(tag)")
        }
        // Its release tags were written once every signature was linked: none names it unsigned.
        let manifestPuts = requests.filter { $0.hasPrefix("\"PUT /v2/acme/hello/manifests/") }
        let releaseTagPuts = manifestPuts.indices.filter { !manifestPuts[$0].hasPrefix("\"PUT /v2/acme/hello/manifests/sha256") }
        let signatureTagPuts = manifestPuts.indices.filter {
            manifestPuts[$0].hasPrefix("\"PUT /v2/acme/hello/manifests/sha256-")
        }
        #expect(signatureTagPuts.count >= 9, "\(manifestPuts)")
        let firstReleaseTag = try #require(releaseTagPuts.min(), "\(manifestPuts)")
        #expect(firstReleaseTag > (signatureTagPuts.max() ?? .max), "\(manifestPuts)")

        let pinned = "\(image)@\(digest)"
        let policy = [
            "--key", keys + "/release.pub", "--require", "provenance", "--require", "sbom", "--source-repository",
            "https://github.com/acme/hello",
        ]
        let verified = try berth(["verify", pinned] + policy + ["--source-ref", "refs/heads/main"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        // The provenance names the branch built; another ref is refused, so the check above could fail.
        let otherRef = try berth(["verify", pinned] + policy + ["--source-ref", "refs/heads/release"])
        #expect(otherRef.status == 4 && otherRef.stderr.contains("provenance of ref 'refs/heads/main'"), "\(otherRef.stderr)")
        func findings() throws -> [String] {
            let document = try json(try berth(["verify", "--json", pinned, "--key", keys + "/release.pub"]).stdout)
            return try #require(document["findings"] as? [[String: Any]]).map {
                "\($0["kind"] as? String ?? "?") \($0["subject"] as? String ?? "?") \($0["predicateType"] as? String ?? "-")"
            }.sorted()
        }
        // The index's provenance holds this build's facts: copied out of its .att tag and read.
        let index = try #require(Digest(digest))
        let layout = repo.path + "/../att"
        let copy = try berth(["registry", "cp", "\(image):\(TrustFormats.legacyAttestationTag(for: index))", "oci:\(layout):att"])
        #expect(copy.status == 0, "\(copy.stderr)")
        let att = try OCILayoutStore(path: layout, create: false)
        let layer = try #require(
            try await att.fetchManifest("", reference: "att").manifest().layers.first {
                $0.annotations?[TrustFormats.legacyPredicateTypeAnnotation] == TrustFormats.slsaProvenancePredicate
            })
        let envelope = try json(String(decoding: try await att.fetchBlob("", digest: layer.digest), as: UTF8.self))
        let payload = try #require(Data(base64Encoded: envelope["payload"] as? String ?? ""))
        let statement = try json(String(decoding: payload, as: UTF8.self))
        let predicate = try #require(statement["predicate"] as? [String: Any])
        let definition = try #require(predicate["buildDefinition"] as? [String: Any])
        let external = try #require(definition["externalParameters"] as? [String: Any])
        let head = try repo.git("rev-parse", "HEAD")
        #expect(external["repository"] as? String == "https://github.com/acme/hello")
        #expect(external["commit"] as? String == head && external["ref"] as? String == "refs/heads/main")
        #expect(external["version"] as? String == "0.1.0" && external["main"] as? String == ".")
        #expect((external["platforms"] as? [String])?.sorted() == ["linux/amd64", "linux/arm64"])
        let goVersion = try #require((definition["internalParameters"] as? [String: Any])?["goVersion"] as? String)
        #expect(goVersion.hasPrefix("go1."), "\(definition)")
        let metadata = (predicate["runDetails"] as? [String: Any])?["metadata"] as? [String: Any]
        #expect(metadata?["startedOn"] is String && metadata?["finishedOn"] is String)

        let afterBuild = try findings()
        let expected = 16  // 3 subjects × (bundle + legacy signature) + 3 × 2 provenance forms + 2 × 2 SBOM forms
        #expect(afterBuild.count == expected, "\(afterBuild)")

        // The release retags the signed digest: a verification finds everything, nothing is written again.
        let release = try berth(["release", "--json"])
        #expect(release.status == 0, "\(release.stderr)")
        let released = try json(release.stdout)
        let releaseSigning = try #require(released["signing"] as? [String: Any], "\(release.stdout)")
        #expect((releaseSigning["signed"] as? [Any])?.isEmpty == true && (releaseSigning["attested"] as? [Any])?.isEmpty == true)
        #expect((releaseSigning["notes"] as? [String])?.first?.contains("nothing written") == true, "\(releaseSigning)")
        #expect(try findings() == afterBuild, "the release duplicated a signature or an attestation")

        // Gated clean, then promoted into dev, whose policy wants the provenance from this repository and the SBOMs.
        let report = try LifecycleCLITests.report("trivy-clean.json", about: digest, in: repo.path + "/..")
        let gate = try berth(["gate", "--report", report, "--image", "\(image):v0.1.0"])
        #expect(gate.status == 0, "\(gate.stdout)\(gate.stderr)")
        let promoted = try berth(["promote", "0.1.0", "--to", "dev"])
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try berth(["registry", "digest", "\(image):v0.1.0-dev"]).stdout.trimmingCharacters(in: .newlines) == digest)
    }
}
