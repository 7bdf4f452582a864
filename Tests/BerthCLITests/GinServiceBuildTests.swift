import BerthTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `berth build` on examples/gin-service, end to end: pushed to a real Docker Distribution, copied
/// back by skopeo, unpacked by umoci, the unpacked binary run on 127.0.0.1 — and built again in a
/// second clone (another path, another Go cache) to the very same digest.
@Suite(
    "berth build of examples/gin-service", .serialized,
    .requires(.go, .gin, .prometheusClientGolang, .dockerRegistry, .skopeo, .umoci))
struct GinServiceBuildTests {
    /// A hermetic repository holding the example, committed at a fixed date; returns it and the service dir.
    static func clone() throws -> (GitRepoBuilder, String) {
        let repo = try GitRepoBuilder()
        let service = repo.path + "/examples/gin-service"
        try FileManager.default.createDirectory(atPath: repo.path + "/examples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: GinServiceTests.example.path, toPath: service)
        try? FileManager.default.removeItem(atPath: service + "/gin-service")
        try repo.git("add", "-A")
        try repo.git(
            ["commit", "-q", "-m", "feat: gin service"],
            extraEnvironment: ["GIT_AUTHOR_DATE": "@1704067200 +0000", "GIT_COMMITTER_DATE": "@1704067200 +0000"])
        return (repo, service)
    }

    @Test(
        "built, pushed, copied by skopeo, unpacked by umoci: the binary answers the planned version; a second clone gives the same digest"
    )
    func buildPushRunReproduce() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let (repo, service) = try Self.clone()
        let head = try repo.git("rev-parse", "HEAD")
        let image = "\(registry.host)/examples/gin-service"

        let build = try cli.run(["build", "--json", "--images", image], in: service, environment: repo.environment)
        try #require(build.status == 0, "\(build.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(build.stdout.utf8)) as? [String: Any])
        let digest = try #require(document["digest"] as? String)
        #expect(document["version"] as? String == "0.1.0")
        #expect(
            document["references"] as? [String] == ["v0.1.0", "v0.1", "latest", "sha-\(head.prefix(7))"].map { "\(image):\($0)" })

        // Every tag points at the digest; the SBOM is listed as a referrer.
        let inspect = try cli.run(
            ["registry", "inspect", "--json", "\(image):v0.1.0"], in: service, environment: repo.environment)
        let inspected = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(inspected["digest"] as? String == digest)
        let referrers = try #require(inspected["referrers"] as? [[String: Any]])
        #expect(referrers.map { $0["artifactType"] as? String } == ["application/spdx+json"])
        let labels = try #require(inspected["labels"] as? [String: String])
        #expect(labels["org.opencontainers.image.version"] == "0.1.0")
        #expect(labels["org.opencontainers.image.revision"] == head)

        // skopeo reads berth's image (config, labels) and copies it into a layout; umoci unpacks that.
        let work = URL(fileURLWithPath: repo.path + "/../e2e").standardized.path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let skopeoInspect = try Shell.run("/usr/bin/skopeo", ["inspect", "--tls-verify=false", "docker://\(image):v0.1.0"])
        #expect(skopeoInspect.status == 0, "\(skopeoInspect.stderr)")
        let skopeoDocument = try JSONSerialization.jsonObject(with: Data(skopeoInspect.stdout.utf8)) as? [String: Any]
        #expect(skopeoDocument?["Digest"] as? String == digest)
        #expect((skopeoDocument?["Labels"] as? [String: String])?["org.opencontainers.image.revision"] == head)
        let copy = try Shell.run(
            "/usr/bin/skopeo", ["copy", "--src-tls-verify=false", "docker://\(image):v0.1.0", "oci:\(work)/layout:v0.1.0"])
        try #require(copy.status == 0, "\(copy.stderr)")
        let unpack = try Shell.run(
            "/usr/bin/umoci", ["unpack", "--rootless", "--image", "\(work)/layout:v0.1.0", "\(work)/bundle"])
        try #require(unpack.status == 0, "\(unpack.stderr)")
        let bundleConfig = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(work)/bundle/config.json")))
        let process = (bundleConfig as? [String: Any])?["process"] as? [String: Any]
        #expect(process?["args"] as? [String] == ["/app/gin-service"])
        #expect((process?["user"] as? [String: Any])?["uid"] as? Int == 65532)

        let port = try FreePort.find()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "\(work)/bundle/rootfs/app/gin-service")
        server.environment = ["ADDR": "127.0.0.1:\(port)", "GIN_MODE": "release"]
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        for _ in 0..<200 where !FreePort.isListening(port) { try await Task.sleep(for: .milliseconds(25)) }
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/version")!)
        let info = try JSONSerialization.jsonObject(with: data) as? [String: String]
        #expect(info == ["version": "0.1.0", "commit": head, "buildDate": "2024-01-01T00:00:00Z"])
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()

        // A second clone elsewhere, with its own empty Go cache, into a layout: the same digest.
        let (otherRepo, otherService) = try Self.clone()
        var environment = otherRepo.environment
        environment["GOCACHE"] = otherRepo.path + "/../other-go-cache"
        let again = try cli.run(
            ["build", "-q", "--images", "oci:\(otherRepo.path)/../out"], in: otherService, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == digest + "\n")
    }
}
