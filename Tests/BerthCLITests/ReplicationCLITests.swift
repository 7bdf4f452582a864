import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth registry cp --referrers and registry sync between two Docker Distribution 2.8 registries")
struct ReplicationCLITests {
    let cli: CLIHarness
    let directory: String

    init() throws {
        cli = try CLIHarness()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("replication-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Images with referrers in a layout, each copied into `host/repository` with plain `registry cp` of the
    /// image tag and of the tags holding what is attached (so the source is filled without replication).
    func fillSource(_ host: String, repository: String, tags: [String], index: Bool = false) async throws -> [String:
        AttachedImage]
    {
        let layout = "\(directory)/layout-\(UUID().uuidString)"
        let store = try OCILayoutStore(path: layout, create: true)
        var images: [String: AttachedImage] = [:]
        for tag in tags {
            let attached = try await AttachedImage.push(
                into: store, repository: "", tag: tag, seed: "\(repository) \(tag)", index: index)
            images[tag] = attached
            for name in [tag] + attached.attachmentTags {
                let copied = try cli.run(
                    ["registry", "cp", "-q", "oci:\(layout):\(name)", "\(host)/\(repository):\(name)"], in: "/")
                try #require(copied.status == 0, "\(copied.stderr)")
            }
        }
        return images
    }

    /// The manifest bytes skopeo reads for `reference` (a tag or a digest).
    func raw(_ image: String) throws -> Data {
        let result = try Shell.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(image)"])
        try #require(result.status == 0, "skopeo inspect --raw \(image): \(result.stderr)")
        return Data(result.stdout.utf8)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// Every manifest of `attached` (and the children of an index) reads back from `image`'s repository
    /// with the source's bytes, by digest, through skopeo; the tag and the tags of what is attached too.
    func expectIdentical(_ attached: AttachedImage, tag: String, source: String, destination: String) throws {
        var digests = attached.manifests.map(\.digest)
        if attached.image.isIndex { digests += try attached.image.index().manifests.map(\.digest) }
        for digest in digests {
            #expect(try raw("\(destination)@\(digest)") == raw("\(source)@\(digest)"), "\(digest)")
            #expect(Digest.sha256(of: try raw("\(destination)@\(digest)")) == digest)
        }
        for name in [tag] + attached.attachmentTags {
            #expect(try raw("\(destination):\(name)") == raw("\(source):\(name)"), "\(name)")
        }
    }

    @Test(
        "cp --referrers copies a two-platform index with its SBOM, signatures and .sig tag byte for byte; oras pulls each referrer by digest; a second run copies nothing",
        .requires(.dockerRegistry, .skopeo, .oras))
    func copyWithReferrers() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try RegistryServer()
        defer { first.stop() }
        let second = try RegistryServer()
        defer { second.stop() }
        let attached = try #require(
            try await fillSource(first.host, repository: "acme/api", tags: ["1.0.0"], index: true)["1.0.0"])
        let source = "\(first.host)/acme/api"
        let destination = "\(second.host)/mirror/api"

        let copied = try cli.run(
            ["registry", "cp", "--referrers", "--json", "\(source):1.0.0", "\(destination):1.0.0"], in: directory)
        #expect(copied.status == 0, "\(copied.stderr)")
        let document = try json(copied.stdout)
        #expect(document["referrersCopied"] as? Int == 3)
        #expect(document["legacyTagsCopied"] as? Int == 1)
        #expect(document["imagesCopied"] as? Int == 1)
        try expectIdentical(attached, tag: "1.0.0", source: source, destination: destination)
        let fallback = try JSONDecoder().decode(
            ImageIndex.self, from: try raw("\(destination):\(Referrers.fallbackTag(for: attached.image.digest))"))
        #expect(Set(fallback.manifests.map(\.digest)) == [attached.sbom.digest, attached.signature.digest])

        // oras-py, an OCI client of its own: the referrers listed in the fallback indexes, each pulled by digest.
        let script = """
            import json, sys, oras.client
            host, repo, out = sys.argv[1], sys.argv[2], sys.argv[3]
            client = oras.client.OrasClient(hostname=host, insecure=True)
            pulled = {}
            for subject in sys.argv[4:]:
                index = client.get_manifest(f"{host}/{repo}:sha256-{subject}", allowed_media_type=["application/vnd.oci.image.index.v1+json"])
                for entry in index["manifests"]:
                    files = client.pull(target=f"{host}/{repo}@{entry['digest']}", outdir=out)
                    pulled[entry["digest"]] = [open(f, "rb").read().decode() for f in files]
            print(json.dumps(pulled))
            """
        try script.write(toFile: "\(directory)/pull.py", atomically: true, encoding: .utf8)
        let oras = try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/python3",
            [
                "\(directory)/pull.py", second.host, "mirror/api", "\(directory)/pulled", attached.image.digest.hex,
                attached.sbom.digest.hex,
            ])
        #expect(oras.status == 0, "\(oras.stderr)")
        let pulled = try #require(try JSONSerialization.jsonObject(with: Data(oras.stdout.utf8)) as? [String: [String]])
        #expect(pulled[attached.sbom.digest.description] == ["sbom acme/api 1.0.0"])
        #expect(pulled[attached.signature.digest.description] == ["sig acme/api 1.0.0"])
        #expect(pulled[attached.sbomSignature.digest.description] == ["sig of sbom acme/api 1.0.0"])

        let again = try cli.run(
            ["registry", "cp", "--referrers", "--json", "\(source):1.0.0", "\(destination):1.0.0"], in: directory)
        #expect(again.status == 0, "\(again.stderr)")
        let repeated = try json(again.stdout)
        #expect(repeated["imagesPresent"] as? Int == 1)
        #expect(repeated["manifestsCopied"] as? Int == 0)
        #expect(repeated["blobsCopied"] as? Int == 0)
    }

    @Test(
        "registry sync killed mid-way (BERTH_CRASH_AT) and run again ends with every tag, digest and referrer byte-identical; a moved tag is left, exit 3",
        .requires(.dockerRegistry, .skopeo))
    func syncResumes() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try RegistryServer()
        defer { first.stop() }
        let second = try RegistryServer()
        defer { second.stop() }
        let tags = (1...6).map { "1.\($0).0" } + ["dev"]
        let images = try await fillSource(first.host, repository: "team/api", tags: tags)
        let source = "\(first.host)/team/api"
        let destination = "\(second.host)/mirror/team/api"
        let arguments = [
            "registry", "sync", "--semver", ">=1.0.0", "--concurrency", "2", "--json", "\(first.host)/team/*",
            "\(second.host)/mirror",
        ]

        let killed = try cli.run(arguments, in: directory, environment: ["BERTH_CRASH_AT": "sync.image-copied"])
        #expect(killed.status == 137, "\(killed.stderr)")
        let resumed = try cli.run(arguments, in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let report = try json(resumed.stdout)
        #expect((report["imagesPresent"] as? Int ?? 0) >= 1, "the image the killed run finished is not copied again")
        #expect((report["imagesCopied"] as? Int ?? 0) + (report["imagesPresent"] as? Int ?? 0) == 6)
        for tag in tags where tag != "dev" {
            try expectIdentical(try #require(images[tag]), tag: tag, source: source, destination: destination)
        }
        #expect(
            try Shell.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(destination):dev"]).status
                != 0)

        // A destination tag moved by someone else is reported and left where it is.
        let moved = try cli.run(["registry", "cp", "-q", "\(source):1.2.0", "\(destination):1.1.0"], in: "/")
        #expect(moved.status == 0, "\(moved.stderr)")
        let conflicted = try cli.run(arguments, in: directory)
        #expect(conflicted.status == 3, "\(conflicted.stderr)")
        #expect(conflicted.stderr.contains("'1.1.0'") && conflicted.stderr.contains("--force"))
        #expect(Digest.sha256(of: try raw("\(destination):1.1.0")) == images["1.2.0"]?.image.digest)
        let forced = try cli.run(arguments + ["--force"], in: directory)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(Digest.sha256(of: try raw("\(destination):1.1.0")) == images["1.1.0"]?.image.digest)
    }
}
