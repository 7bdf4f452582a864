import BerthTestSupport
import Foundation
import Testing

@Suite("berth lint and berth pin, through the binary")
struct DockerfileCLITests {
    @Test("lint prints each finding with line and fix, exits 1; a clean file exits 0")
    func lint() throws {
        let cli = try CLIHarness()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("FROM alpine\nCOPY app /app\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/Dockerfile"))
        let dirty = try cli.run(["lint"], in: dir)
        #expect(dirty.status == 1)
        #expect(dirty.stdout.contains("Dockerfile:1: unpinned-from:") && dirty.stdout.contains("fix: run berth pin"))
        let json = try cli.run(["lint", "--json"], in: dir)
        #expect(json.status == 1 && json.stdout.contains("\"rule\" : \"dockerignore\""))
        let digest = "sha256:" + String(repeating: "d", count: 64)
        try Data("FROM alpine:3.20@\(digest)\nARG VERSION\nARG VCS_REF\nARG BUILD_DATE\nUSER 1000\n".utf8).write(
            to: URL(fileURLWithPath: "\(dir)/Containerfile"))
        try Data(".git\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/.dockerignore"))
        let clean = try cli.run(["lint", "Containerfile"], in: dir)
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(try cli.run(["lint", "nope"], in: dir).status == 64)
    }

    @Test("pin resolves tags to index digests through a real registry; --check reports and exits 1", .requires(.dockerRegistry))
    func pin() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let cli = try CLIHarness()
        let (layout, digest) = try await RegistryCLITests.layout()
        defer { try? FileManager.default.removeItem(atPath: layout) }
        #expect(try cli.run(["registry", "cp", "-q", "oci:\(layout):v1", "\(server.host)/base/go:1.22"], in: "/").status == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = "# build\nFROM \(server.host)/base/go:1.22 AS build\nRUN make\nFROM scratch\nCOPY --from=build /app /app\n"
        try Data(original.utf8).write(to: URL(fileURLWithPath: "\(dir)/Dockerfile"))
        let check = try cli.run(["pin", "--check"], in: dir)
        #expect(check.status == 1 && check.stdout.contains("Dockerfile:2:"))
        let pin = try cli.run(["pin"], in: dir)
        #expect(pin.status == 0, "\(pin.stderr)")
        let pinned = try String(contentsOfFile: "\(dir)/Dockerfile", encoding: .utf8)
        #expect(pinned == original.replacingOccurrences(of: "go:1.22 AS", with: "go:1.22@\(digest) AS"))
        #expect(try cli.run(["pin", "--check"], in: dir).status == 0)
    }
}
