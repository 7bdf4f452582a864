import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth registry, through the built binary, against a real registry", .requires(.dockerRegistry))
struct RegistryCLITests {

    /// A layout holding a two-platform index tagged v1.
    static func layout() async throws -> (path: String, digest: Digest) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli-layout-\(UUID().uuidString)").path
        let index = try await TestImages.pushIndex(into: try OCILayoutStore(path: path), repository: "", tag: "v1", seed: "cli")
        return (path, index.digest)
    }

    @Test("cp, tag, ls, digest, inspect, rm and catalog work end to end")
    func endToEnd() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let cli = try CLIHarness()
        let (layout, digest) = try await Self.layout()
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let repo = "\(server.host)/acme/api"
        let cp = try cli.run(["registry", "cp", "oci:\(layout):v1", repo], in: "/")
        #expect(cp.status == 0, "\(cp.stderr)")
        #expect(cp.stdout == "\(digest)\n")
        #expect(cp.stderr.contains("copied"))
        #expect(try cli.run(["registry", "tag", "\(repo):v1", "v1.0", "latest"], in: "/").status == 0)
        #expect(
            try cli.run(["registry", "ls", repo], in: "/").stdout.split(separator: "\n").sorted() == ["latest", "v1", "v1.0"])
        #expect(try cli.run(["registry", "digest", "\(repo):latest"], in: "/").stdout == "\(digest)\n")
        let inspect = try cli.run(["registry", "inspect", "--json", "\(repo):v1"], in: "/")
        #expect(
            inspect.status == 0 && inspect.stdout.contains("linux/arm64/v8")
                && inspect.stdout.contains("\"org.opencontainers.image.version\""))
        let dryRun = try cli.run(["registry", "rm", "\(repo):latest"], in: "/")
        #expect(dryRun.status == 0 && dryRun.stdout.contains("pass --yes"))
        #expect(try cli.run(["registry", "ls", repo], in: "/").stdout.contains("latest"))
        #expect(try cli.run(["registry", "rm", "--yes", "\(repo):latest"], in: "/").status == 0)
        #expect(try cli.run(["registry", "ls", repo], in: "/").stdout.split(separator: "\n").sorted() == ["v1", "v1.0"])
        let copy = try cli.run(["registry", "cp", "\(repo):v1", "\(server.host)/acme/mirror"], in: "/")
        #expect(copy.stderr.contains("mounted") && copy.stdout == "\(digest)\n")
        #expect(try cli.run(["registry", "catalog", server.host], in: "/").stdout == "acme/api\nacme/mirror\n")
        let back = FileManager.default.temporaryDirectory.appendingPathComponent("cli-back-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: back) }
        #expect(try cli.run(["registry", "cp", "-q", "\(repo):v1.0", "oci:\(back)"], in: "/").stdout == "\(digest)\n")
        #expect(try cli.run(["registry", "ls", "oci:\(back)"], in: "/").stdout == "v1.0\n")
    }

    @Test(
        "a second cp from a layout mounts every blob from the repository the first one pushed to; BERTH_BLOB_CACHE=off uploads; BERTH_REGISTRY_CHUNK_SIZE sends PATCH chunks"
    )
    func blobCacheAcrossProcesses() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let cli = try CLIHarness()
        let (layout, digest) = try await Self.layout()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("cli-home-\(UUID().uuidString)").path
        defer { for path in [layout, home] { try? FileManager.default.removeItem(atPath: path) } }
        let env = ["HOME": home]
        let first = try cli.run(["registry", "cp", "oci:\(layout):v1", "\(server.host)/acme/first"], in: "/", environment: env)
        #expect(first.status == 0 && first.stderr.contains(", 0 mounted"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(home)/.cache/berth/blob-locations"))
        // Two platforms: two configs and four layers, each mounted from acme/first by one POST.
        let mounts = { server.accessLogRequests().filter { $0.hasPrefix("\"POST ") && $0.contains("mount=") }.count }
        let second = try cli.run(["registry", "cp", "oci:\(layout):v1", "\(server.host)/acme/second"], in: "/", environment: env)
        #expect(second.status == 0 && second.stdout == "\(digest)\n", "\(second.stderr)")
        #expect(second.stderr.contains(", 6 mounted") && mounts() == 6, "\(second.stderr)")
        let off = try cli.run(
            ["registry", "cp", "oci:\(layout):v1", "\(server.host)/acme/third"], in: "/",
            environment: env.merging(["BERTH_BLOB_CACHE": "off"]) { $1 })
        #expect(off.status == 0 && off.stderr.contains(", 0 mounted") && mounts() == 6, "\(off.stderr)")
        #expect(!server.accessLogRequests().contains { $0.hasPrefix("\"PATCH ") })
        let chunked = try cli.run(
            ["registry", "cp", "oci:\(layout):v1", "\(server.host)/acme/fourth"], in: "/",
            environment: ["BERTH_BLOB_CACHE": "off", "BERTH_REGISTRY_CHUNK_SIZE": "256"])
        #expect(chunked.status == 0 && server.accessLogRequests().contains { $0.hasPrefix("\"PATCH ") }, "\(chunked.stderr)")
        let bad = try cli.run(
            ["registry", "cp", "oci:\(layout):v1", "\(server.host)/acme/fifth"], in: "/",
            environment: ["BERTH_REGISTRY_CHUNK_SIZE": "huge"])
        #expect(bad.status == 64 && bad.stderr.contains("BERTH_REGISTRY_CHUNK_SIZE='huge'"), "\(bad.stderr)")
    }

    @Test("errors: a missing repository exits 1 naming the request; a bad reference exits 65; no tag to rm is 64")
    func errors() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let cli = try CLIHarness()
        let missing = try cli.run(["registry", "ls", "\(server.host)/nope/x"], in: "/")
        #expect(
            missing.status == 1 && missing.stderr.contains("GET http://\(server.host)/v2/nope/x/tags/list")
                && missing.stderr.contains("NAME_UNKNOWN"))
        #expect(try cli.run(["registry", "digest", "Bad/Ref"], in: "/").status == 65)
        #expect(try cli.run(["registry", "rm", "\(server.host)/acme/api"], in: "/").status == 64)
        #expect(try cli.run(["registry", "ls", "--username", "me", "\(server.host)/a/b"], in: "/").status == 64)
    }

    @Test("plan --registry: a fixed tag at another image is a conflict; the same digest or commit is fine")
    func planRegistryCheck() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let cli = try CLIHarness()
        let (layout, digest) = try await Self.layout()
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let repo = try GitRepoBuilder()
        try repo.commit("feat: first")
        let image = "\(server.host)/acme/api"
        #expect(try cli.run(["registry", "cp", "-q", "oci:\(layout):v1", "\(image):v0.1.0"], in: "/").status == 0)
        let conflict = try cli.run(
            ["check", "--offline", "--images", image, "--registry"], in: repo.path, environment: repo.environment)
        #expect(conflict.status == 3)
        #expect(conflict.stderr.contains("tag 'v0.1.0' already exists at \(digest)"))
        let same = try cli.run(
            ["check", "--offline", "--images", image, "--registry", "--digest", digest.description], in: repo.path,
            environment: repo.environment)
        #expect(same.status == 0, "\(same.stderr)")
        let fresh = try cli.run(
            ["plan", "--offline", "--json", "--images", "\(server.host)/acme/fresh", "--registry"], in: repo.path,
            environment: repo.environment)
        #expect(fresh.status == 0 && fresh.stdout.contains("is free in \(server.host)/acme/fresh"))
    }
}

@Suite("berth registry with Basic auth, through the binary", .requires(.dockerRegistry, .htpasswd))
struct RegistryAuthCLITests {
    @Test("--password-stdin works; no password appears in any output, even on failure")
    func passwordStdin() async throws {
        let server = try RegistryServer(basicAuth: true)
        defer { server.stop() }
        let cli = try CLIHarness()
        let (layout, _) = try await RegistryCLITests.layout()
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)").path
        let env = ["HOME": home]
        let anonymous = try cli.run(["registry", "cp", "oci:\(layout):v1", "\(server.host)/acme/api"], in: "/", environment: env)
        #expect(anonymous.status == 1 && anonymous.stderr.contains("--password-stdin"))
        let good = try cli.run(
            [
                "registry", "cp", "--username", server.username!, "--password-stdin", "oci:\(layout):v1",
                "\(server.host)/acme/api",
            ], in: "/",
            environment: env, stdin: server.password! + "\n")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(!(good.stdout + good.stderr).contains(server.password!))
        let bad = try cli.run(
            ["registry", "ls", "--username", server.username!, "--password-stdin", "\(server.host)/acme/api"], in: "/",
            environment: env,
            stdin: "wrong-\(server.password!)\n")
        #expect(bad.status == 1 && bad.stderr.contains("401"))
        #expect(!(bad.stdout + bad.stderr).contains("wrong-"))
        #expect(
            !(bad.stdout + bad.stderr).contains(Data("\(server.username!):wrong-\(server.password!)".utf8).base64EncodedString()))
    }
}

@Suite("OCI layouts shared by processes")
struct LayoutConcurrencyCLITests {
    @Test("16 berth processes tagging one layout at once lose no tag")
    func concurrentTagging() async throws {
        let cli = try CLIHarness()
        let (layout, digest) = try await RegistryCLITests.layout()
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let results = try await withThrowingTaskGroup(of: ShellResult.self) { group in
            for n in 0..<16 {
                group.addTask { try cli.run(["registry", "tag", "-q", "oci:\(layout):v1", "p\(n)a", "p\(n)b"], in: "/") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let tags = try cli.run(["registry", "ls", "oci:\(layout)"], in: "/").stdout.split(separator: "\n").map(String.init)
        #expect(tags.count == 33)
        #expect(try cli.run(["registry", "digest", "oci:\(layout):p15b"], in: "/").stdout == "\(digest)\n")
    }
}
