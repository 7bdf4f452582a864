import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("every berth registry subcommand takes the global and registry options")
struct RegistryOptionGroupsTests {
    static let subcommands = ["ls", "digest", "inspect", "tag", "cp", "rm", "catalog"]

    @Test("help lists --config, -C, --json, -q, -v, --username, --password-stdin and --insecure", arguments: subcommands)
    func helpListsOptions(subcommand: String) throws {
        let help = try CLIHarness().run(["help", "registry", subcommand], in: "/", environment: ["COLUMNS": "200"])
        #expect(help.status == 0)
        for option in [
            "--config <FILE>", "-C <DIR>", "--json", "-q, --quiet", "-v, --verbose", "--username", "--password-stdin",
            "--insecure",
        ] {
            #expect(help.stdout.contains(option), "registry \(subcommand) lacks \(option):\n\(help.stdout)")
        }
    }
}

@Suite("registry digest and rm with the global options, against a real registry", .requires(.dockerRegistry))
struct RegistryOptionsCLITests {
    struct DigestOutput: Decodable, Equatable {
        let digest: String
    }

    struct RemoveOutput: Decodable, Equatable {
        let deleted: Bool
        let description: String
    }

    /// A registry holding one two-platform image under `acme/api` with `tags`; returns its digest.
    static func seed(_ server: RegistryServer, tags: [String]) async throws -> Digest {
        let layout = FileManager.default.temporaryDirectory.appendingPathComponent("opts-layout-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let index = try await TestImages.pushIndex(
            into: try OCILayoutStore(path: layout), repository: "", tag: "v1", seed: "opts")
        let cli = try CLIHarness()
        let copy = try cli.run(["registry", "cp", "-q", "oci:\(layout):v1", "\(server.host)/acme/api:v1"], in: "/")
        try #require(copy.status == 0, "\(copy.stderr)")
        if !tags.isEmpty {
            let tag = try cli.run(["registry", "tag", "-q", "\(server.host)/acme/api:v1"] + tags, in: "/")
            try #require(tag.status == 0, "\(tag.stderr)")
        }
        return index.digest
    }

    /// Strict JSON: exactly the keys of `T`, nothing else on stdout.
    static func decode<T: Decodable>(_ type: T.Type, _ stdout: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(stdout.utf8))
    }

    static func keys(_ stdout: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return (object?.keys).map { $0.sorted() } ?? []
    }

    @Test("digest --json prints {digest}; -q, -v, -C and --config are taken as by ls")
    func digest() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let digest = try await Self.seed(server, tags: [])
        let cli = try CLIHarness()
        let reference = "\(server.host)/acme/api:v1"

        let json = try cli.run(["registry", "digest", "--json", reference], in: "/")
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try Self.decode(DigestOutput.self, json.stdout) == DigestOutput(digest: digest.description))
        #expect(try Self.keys(json.stdout) == ["digest"])

        let project = FileManager.default.temporaryDirectory.appendingPathComponent("opts-project-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: project) }
        try Data("image:\n  names: [\(server.host)/acme/api]\n".utf8).write(to: URL(fileURLWithPath: "\(project)/berth.yaml"))
        for options in [["-q"], ["-v"], ["--quiet", "--verbose"], ["-C", project], ["--config", "\(project)/berth.yaml"]] {
            let ls = try cli.run(["registry", "ls"] + options + [reference.replacingOccurrences(of: ":v1", with: "")], in: "/")
            #expect(ls.status == 0, "ls \(options): \(ls.stderr)")
            let plain = try cli.run(["registry", "digest"] + options + [reference], in: "/")
            #expect(plain.status == 0, "digest \(options): \(plain.stderr)")
            #expect(plain.stdout == "\(digest)\n")
        }

        let missing = try cli.run(["registry", "digest", "--json", "\(server.host)/acme/api:nope"], in: "/")
        #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("does not exist"))
    }

    @Test("rm --json prints {deleted, description}: false for the preview, true once deleted; -q --yes prints nothing")
    func remove() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let digest = try await Self.seed(server, tags: ["latest", "v1.0", "edge"])
        let cli = try CLIHarness()
        let repo = "\(server.host)/acme/api"
        func tags() throws -> [String] {
            try cli.run(["registry", "ls", repo], in: "/").stdout.split(separator: "\n").map(String.init).sorted()
        }
        let tagged = "tag 'latest' (at \(digest.short))"

        let preview = try cli.run(["registry", "rm", "--json", "\(repo):latest"], in: "/")
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(try Self.decode(RemoveOutput.self, preview.stdout) == RemoveOutput(deleted: false, description: tagged))
        #expect(try Self.keys(preview.stdout) == ["deleted", "description"])
        let dryRun = try cli.run(["registry", "rm", "--json", "--yes", "--dry-run", "-v", "\(repo):latest"], in: "/")
        #expect(try Self.decode(RemoveOutput.self, dryRun.stdout) == RemoveOutput(deleted: false, description: tagged))
        #expect(try tags() == ["edge", "latest", "v1", "v1.0"])

        let deleted = try cli.run(["registry", "rm", "--json", "--yes", "-C", "/", "\(repo):latest"], in: "/")
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(try Self.decode(RemoveOutput.self, deleted.stdout) == RemoveOutput(deleted: true, description: tagged))
        #expect(try tags() == ["edge", "v1", "v1.0"])

        let quiet = try cli.run(["registry", "rm", "-q", "--yes", "\(repo):v1.0"], in: "/")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout)\(quiet.stderr)")
        #expect(try tags() == ["edge", "v1"])
        let loud = try cli.run(["registry", "rm", "-v", "--yes", "\(repo):edge"], in: "/")
        #expect(loud.status == 0 && loud.stdout == "deleted tag 'edge' (at \(digest.short))\n")

        let manifest = try cli.run(["registry", "rm", "--json", "--yes", "\(repo)@\(digest)"], in: "/")
        #expect(manifest.status == 0, "\(manifest.stderr)")
        #expect(
            try Self.decode(RemoveOutput.self, manifest.stdout)
                == RemoveOutput(deleted: true, description: "manifest \(digest) and every tag on it"))
        #expect(try tags().isEmpty)

        let gone = try cli.run(["registry", "rm", "--json", "--yes", "\(repo):v1"], in: "/")
        #expect(gone.status == 1 && gone.stdout.isEmpty && gone.stderr.contains("does not exist"))
    }
}
