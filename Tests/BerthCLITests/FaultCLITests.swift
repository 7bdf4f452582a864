import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("berth registry through a fault-injecting proxy, with the built binary", .requires(.dockerRegistry))
struct FaultCLITests {
    /// A registry holding `acme/api:v1` (one 300 kB layer), a proxy in front of it, and the layer's digest.
    struct Setup {
        let server: RegistryServer
        let proxy: FaultProxy
        let digest: Digest
        let layer: Digest
        let cli: CLIHarness

        init() async throws {
            server = try RegistryServer()
            proxy = try FaultProxy(server)
            cli = try CLIHarness()
            let layout = FileManager.default.temporaryDirectory.appendingPathComponent("fault-cli-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: layout) }
            let image = try await TestImages.push(
                into: try OCILayoutStore(path: layout), repository: "", tag: "v1", seed: "fault-cli", layers: 1,
                layerSize: 300_000)
            digest = image.digest
            layer = try image.manifest().layers[0].digest
            let seed = try cli.run(["registry", "cp", "-q", "oci:\(layout):v1", "\(server.host)/acme/api:v1"], in: "/")
            try #require(seed.status == 0, "\(seed.stderr)")
        }

        func stop() {
            proxy.stop()
            server.stop()
        }

        /// `berth registry cp` from the proxy into a new layout.
        func copyOut(_ extra: [String] = [], environment: [String: String] = [:]) throws -> ShellResult {
            let layout = FileManager.default.temporaryDirectory.appendingPathComponent("fault-out-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: layout) }
            return try cli.run(
                ["registry", "cp"] + extra + ["\(proxy.host)/acme/api:v1", "oci:\(layout):v1"], in: "/", environment: environment)
        }
    }

    static func errorLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("berth: error:") }
    }

    static let libraryNames = ["NIO", "HTTPClientError", "IOError", "ChannelError", "HTTPParserError", "TransportError"]

    @Test("cp with one reset in the middle of a layer succeeds; -v shows the retry line, without -v there is none")
    func resetOnceThenCopy() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.reset(afterBytes: 100_000), method: "GET", path: "/blobs/\(setup.layer)", on: .nth(1))
        let verbose = try setup.copyOut(["-v"])
        #expect(verbose.status == 0, "\(verbose.stderr)")
        #expect(verbose.stdout == "\(setup.digest)\n")
        #expect(setup.proxy.injected.count == 1)
        let line = verbose.stderr.split(separator: "\n").first { $0.hasPrefix("berth: retrying GET ") }
        #expect(
            line?.hasPrefix("berth: retrying GET http://\(setup.proxy.host)/v2/acme/api/blobs/\(setup.layer) (attempt 2/5 after ")
                == true, "\(verbose.stderr)")
        #expect(line?.contains(", waiting ") == true && line?.hasSuffix(" s)") == true, "\(verbose.stderr)")
        setup.proxy.inject(.reset(afterBytes: 100_000), method: "GET", path: "/blobs/\(setup.layer)", on: .nth(1))
        let quiet = try setup.copyOut()
        #expect(quiet.status == 0 && quiet.stdout == "\(setup.digest)\n", "\(quiet.stderr)")
        #expect(setup.proxy.injected.count == 2)
        #expect(!quiet.stderr.contains("retrying"), "\(quiet.stderr)")
    }

    @Test("a reset on every attempt: exit 1 in bounded time, one error line naming the method and URL, no library types")
    func resetAlways() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.reset(afterBytes: 1000), method: "GET", path: "/blobs/\(setup.layer)", on: .always)
        let started = ContinuousClock.now
        let result = try setup.copyOut()
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(result.status == 1, "\(result.stderr)")
        let errors = Self.errorLines(result.stderr)
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(
            errors.first?.hasPrefix("berth: error: GET http://\(setup.proxy.host)/v2/acme/api/blobs/\(setup.layer): ") == true,
            "\(result.stderr)")
        #expect(errors.first?.contains("check that \(setup.proxy.host) is reachable") == true, "\(result.stderr)")
        #expect(!Self.libraryNames.contains { result.stderr.contains($0) }, "\(result.stderr)")
    }

    @Test(
        "a registry that never answers: BERTH_REGISTRY_ATTEMPT_TIMEOUT and BERTH_REGISTRY_TIMEOUT bound the wait; -v tells each retry"
    )
    func stalledRegistry() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.stall, path: "/v2/acme/api/", on: .always)
        let started = ContinuousClock.now
        let result = try setup.cli.run(
            ["registry", "ls", "-v", "\(setup.proxy.host)/acme/api"], in: "/",
            environment: ["BERTH_REGISTRY_ATTEMPT_TIMEOUT": "1s", "BERTH_REGISTRY_TIMEOUT": "3s"])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1, "\(result.stderr)")
        #expect(elapsed < .seconds(15), "\(elapsed)")
        let errors = Self.errorLines(result.stderr)
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(
            errors.first?.hasPrefix(
                "berth: error: GET http://\(setup.proxy.host)/v2/acme/api/tags/list?n=1000: no answer within ")
                == true, "\(result.stderr)")
        #expect(errors.first?.contains("BERTH_REGISTRY_TIMEOUT") == true, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "berth: retrying GET http://\(setup.proxy.host)/v2/acme/api/tags/list?n=1000 (attempt 2/5 after no answer within 1 s, waiting "
            ),
            "\(result.stderr)")
    }

    @Test("a BERTH_REGISTRY_TIMEOUT that isn't a duration is a usage error naming the variable")
    func badTimeout() async throws {
        let cli = try CLIHarness()
        let result = try cli.run(
            ["registry", "ls", "127.0.0.1:1/acme/api"], in: "/", environment: ["BERTH_REGISTRY_TIMEOUT": "soon"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("BERTH_REGISTRY_TIMEOUT='soon' is not a duration"), "\(result.stderr)")
    }

    @Test("a credential helper that never answers: berth stops it and fails naming it", .requires(.htpasswd))
    func stalledCredentialHelper() async throws {
        let server = try RegistryServer(basicAuth: true)
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stall-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"credsStore":"stall"}"#.utf8).write(to: dir.appendingPathComponent("config.json"))
        let script = dir.appendingPathComponent("docker-credential-stall")
        try Data("#!/bin/sh\nsleep 100000\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let started = ContinuousClock.now
        let result = try CLIHarness().run(
            ["registry", "ls", "\(server.host)/acme/api"], in: "/",
            environment: [
                "DOCKER_CONFIG": dir.path, "PATH": "\(dir.path):/usr/bin:/bin", "BERTH_CREDENTIAL_HELPER_TIMEOUT": "1s",
            ])
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("credential helper 'docker-credential-stall' gave no answer"), "\(result.stderr)")
        #expect(Self.errorLines(result.stderr).count == 1, "\(result.stderr)")
    }
}
