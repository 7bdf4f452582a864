import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

/// The registry client against a real Docker Distribution behind `FaultProxy`: resets in the middle of a
/// body, 429 with Retry-After, stalls, bodies cut short of their Content-Length.
@Suite("registry client against a real registry behind a fault-injecting proxy", .requires(.dockerRegistry))
struct FaultInjectionTests {
    /// Retries seen, in order.
    final class RetryLog: Sendable {
        private let list = Locked<[RetryEvent]>([])
        func add(_ event: RetryEvent) { list.withLock { $0.append(event) } }
        var events: [RetryEvent] { list.current }
    }

    /// A registry seeded with one image (a 300 kB layer) and a proxy in front of it.
    struct Setup {
        let server: RegistryServer
        let proxy: FaultProxy
        let image: ManifestDocument
        let layer: Digest
        var layerPath: String { "/blobs/\(layer)" }

        init() async throws {
            server = try RegistryServer()
            proxy = try FaultProxy(server)
            let direct = RegistryClient(host: server.host, transport: AsyncHTTPClientTransport.shared)
            image = try await TestImages.push(
                into: direct, repository: "acme/api", tag: "v1", seed: "faults", layers: 1, layerSize: 300_000)
            layer = try image.manifest().layers[0].digest
        }

        func stop() {
            proxy.stop()
            server.stop()
        }

        /// A client through the proxy: four attempts, short real backoff, `timeouts`.
        func client(
            _ log: RetryLog,
            timeouts: RegistryTimeouts = RegistryTimeouts(attempt: .seconds(10), idle: .seconds(10), total: .seconds(30))
        ) -> RegistryClient {
            RegistryClient(
                host: proxy.host, transport: AsyncHTTPClientTransport.shared,
                retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .seconds(5)), timeouts: timeouts,
                onRetry: { log.add($0) })
        }
    }

    /// Reads a blob stream to its end.
    static func drain(_ chunks: BlobChunks) async throws -> Data {
        var data = Data()
        while let chunk = try await chunks.nextChunk() { data.append(chunk) }
        return data
    }

    /// No library's type or debug text in a message meant for people.
    static func isPlainWords(_ message: String) -> Bool {
        !message.contains("\n")
            && !["NIO", "HTTPClientError", "IOError", "ChannelError", "HTTPParserError", "TransportError", "Error(", "errno"]
                .contains { message.contains($0) }
    }

    @Test("a reset in the middle of a blob download is retried (resumed) and the copy keeps every digest")
    func resetMidBlobIsResumed() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.reset(afterBytes: 100_000), method: "GET", path: setup.layerPath, on: .nth(1))
        let log = RetryLog()
        let layout = FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let destination = try OCILayoutStore(path: layout)
        let copied = try await ImageCopier(source: setup.client(log), destination: destination)
            .copy("acme/api", reference: "v1", to: "", tags: ["v1"])
        #expect(copied.digest == setup.image.digest)
        let layer = try await destination.fetchBlob("", digest: setup.layer)
        #expect(Digest.sha256(of: layer) == setup.layer && layer.count == 300_000)
        #expect(setup.proxy.injected.count == 1, "\(setup.proxy.injected)")
        #expect(setup.proxy.count(method: "GET", path: setup.layerPath) == 2)
        let retry = try #require(log.events.first)
        #expect(retry.method == "GET" && retry.url.hasSuffix(setup.layerPath) && retry.attempt == 2, "\(retry)")
        #expect(retry.reason.contains("reset"), "\(retry)")
    }

    @Test("a copy whose source fails every read stops after the source's own attempts, not three times as many")
    func copyDoesNotRetryFailedReads() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.reset(afterBytes: 1000), method: "GET", path: setup.layerPath, on: .always)
        let log = RetryLog()
        let layout = FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let destination = try OCILayoutStore(path: layout)
        await #expect(throws: ImageStoreError.self) {
            try await ImageCopier(source: setup.client(log), destination: destination)
                .copy("acme/api", reference: "v1", to: "", tags: ["v1"])
        }
        #expect(setup.proxy.count(method: "GET", path: setup.layerPath) == 4)
        #expect(log.events.map(\.attempt) == [2, 3, 4])
    }

    @Test("a reset while a whole blob is read (fetchBlob) is retried and the bytes are verified")
    func resetMidBufferedBlob() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.reset(afterBytes: 50_000), method: "GET", path: setup.layerPath, on: .nth(1))
        let log = RetryLog()
        let data = try await setup.client(log).fetchBlob("acme/api", digest: setup.layer)
        #expect(Digest.sha256(of: data) == setup.layer)
        #expect(setup.proxy.injected.count == 1 && log.events.count == 1)
    }

    @Test("a reset on every attempt fails in bounded time with one line: method, URL, what happened, what to do")
    func resetEveryAttempt() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.reset(afterBytes: 1000), method: "GET", path: setup.layerPath, on: .always)
        let log = RetryLog()
        let client = setup.client(log)
        let started = ContinuousClock.now
        let error = await #expect(throws: ImageStoreError.self) {
            _ = try await Self.drain(try await client.openBlob("acme/api", digest: setup.layer))
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        let message = try #require(error?.message)
        #expect(error?.kind == .unavailable)
        #expect(message.hasPrefix("GET http://\(setup.proxy.host)/v2/acme/api/blobs/\(setup.layer): "), "\(message)")
        #expect(message.contains("reset") && message.contains("check that \(setup.proxy.host) is reachable"), "\(message)")
        #expect(message.contains("(4 attempts"), "\(message)")
        #expect(Self.isPlainWords(message), "\(message)")
        #expect(setup.proxy.count(method: "GET", path: setup.layerPath) == 4)
        #expect(log.events.map(\.attempt) == [2, 3, 4])
        // The buffered read says the same.
        let buffered = await #expect(throws: ImageStoreError.self) {
            _ = try await client.fetchBlob("acme/api", digest: setup.layer)
        }
        #expect(buffered.map { $0.message.hasPrefix("GET http://\(setup.proxy.host)/v2/acme/api/blobs/") } == true)
        #expect(buffered.map { Self.isPlainWords($0.message) } == true, "\(String(describing: buffered))")
    }

    @Test("429 and 503 with Retry-After: 1 are retried after the second asked for", arguments: [429, 503])
    func retryAfterIsHonoured(status: Int) async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.status(status, retryAfter: "1"), method: "GET", path: "/manifests/v1", on: .nth(1))
        let log = RetryLog()
        let started = ContinuousClock.now
        let document = try await setup.client(log).fetchManifest("acme/api", reference: "v1")
        let elapsed = ContinuousClock.now - started
        #expect(document.digest == setup.image.digest)
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(10), "\(elapsed)")
        #expect(setup.proxy.count(method: "GET", path: "/manifests/v1") == 2)
        #expect(
            log.events == [
                RetryEvent(
                    method: "GET", url: "http://\(setup.proxy.host)/v2/acme/api/manifests/v1", attempt: 2, maxAttempts: 4,
                    reason: "\(status)", delay: .seconds(1))
            ])
        #expect(
            log.events.first?.description
                == "retrying GET http://\(setup.proxy.host)/v2/acme/api/manifests/v1 (attempt 2/4 after \(status), waiting 1 s)")
    }

    @Test("a registry that stalls fails within the configured timeouts, not minutes, and says which to raise")
    func stalledRegistry() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.stall, path: "/manifests/", on: .always)
        let log = RetryLog()
        let client = setup.client(log, timeouts: RegistryTimeouts(attempt: .seconds(1), idle: .seconds(1), total: .seconds(3)))
        let started = ContinuousClock.now
        let error = await #expect(throws: ImageStoreError.self) { try await client.resolve("acme/api", reference: "v1") }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(8), "\(elapsed)")
        let message = try #require(error?.message)
        #expect(message.hasPrefix("HEAD http://\(setup.proxy.host)/v2/acme/api/manifests/v1: no answer within "), "\(message)")
        #expect(message.contains("BERTH_REGISTRY_TIMEOUT") && Self.isPlainWords(message), "\(message)")
        #expect(log.events.first?.reason == "no answer within 1 s", "\(log.events)")
    }

    @Test("a blob whose body stalls half-way fails within the configured timeouts")
    func stalledBlobBody() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.stallBody(afterBytes: 0), method: "GET", path: setup.layerPath, on: .always)
        let client = setup.client(
            RetryLog(), timeouts: RegistryTimeouts(attempt: .seconds(1), idle: .seconds(1), total: .seconds(3)))
        let started = ContinuousClock.now
        let error = await #expect(throws: ImageStoreError.self) {
            _ = try await Self.drain(try await client.openBlob("acme/api", digest: setup.layer))
        }
        #expect(ContinuousClock.now - started < .seconds(8))
        let message = try #require(error?.message)
        #expect(
            message.hasPrefix("GET http://\(setup.proxy.host)/v2/acme/api/blobs/\(setup.layer): no answer within"), "\(message)")
        #expect(Self.isPlainWords(message), "\(message)")
    }

    @Test("a manifest response cut short of its Content-Length is retried; cut every time, it fails cleanly")
    func truncatedManifest() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.truncate(afterBytes: 10), method: "GET", path: "/manifests/v1", on: .nth(1))
        let log = RetryLog()
        let client = setup.client(log)
        #expect(try await client.fetchManifest("acme/api", reference: "v1").digest == setup.image.digest)
        #expect(setup.proxy.injected.count == 1 && log.events.count == 1)
        #expect(log.events.first?.reason.contains("at byte 10 of \(setup.image.bytes.count)") == true, "\(log.events)")
        setup.proxy.inject(.truncate(afterBytes: 10), method: "GET", path: "/manifests/v1", on: .always)
        let error = await #expect(throws: ImageStoreError.self) { try await client.fetchManifest("acme/api", reference: "v1") }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("GET http://\(setup.proxy.host)/v2/acme/api/manifests/v1: "), "\(message)")
        #expect(message.contains("at byte 10 of \(setup.image.bytes.count)") && Self.isPlainWords(message), "\(message)")
    }
}

@Suite("credential helpers that never answer")
struct CredentialHelperTimeoutTests {
    @Test("a helper that sleeps forever is stopped after the timeout and named, with what to do")
    func stalledHelper() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"credsStore":"stall"}"#.utf8).write(to: dir.appendingPathComponent("config.json"))
        let marker = "\(Int.random(in: 100_000..<999_999))"
        let script = dir.appendingPathComponent("docker-credential-stall")
        // Not `exec`: the shell's child must be stopped with it.
        try Data("#!/bin/sh\nsleep \(marker)\necho never\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let credentials = try DockerConfigCredentials(environment: [
            "DOCKER_CONFIG": dir.path, "PATH": "\(dir.path):/usr/bin:/bin", "BERTH_CREDENTIAL_HELPER_TIMEOUT": "1s",
        ])
        let started = ContinuousClock.now
        let error = #expect(throws: ImageStoreError.self) { try credentials.credential(for: "registry.example") }
        #expect(ContinuousClock.now - started < .seconds(5))
        let message = try #require(error?.message)
        #expect(message.contains("credential helper 'docker-credential-stall'") && message.contains("within 1 s"), "\(message)")
        #expect(message.contains("remove it from config.json"), "\(message)")
        #if os(Linux)
            // Its `sleep` went with it (its process group was killed).
            usleep(200_000)
            let left = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }.filter { pid in
                let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                return command.contains("sleep\u{0}\(marker)")
            }
            #expect(left.isEmpty, "left running: \(left)")
        #endif
    }

    @Test("BERTH_CREDENTIAL_HELPER_TIMEOUT is read; the default is 10 s")
    func helperTimeoutSetting() throws {
        #expect(try DockerConfigCredentials(environment: ["DOCKER_CONFIG": "/nonexistent"]).helperTimeout == .seconds(10))
        #expect(
            try DockerConfigCredentials(environment: [
                "DOCKER_CONFIG": "/nonexistent", "BERTH_CREDENTIAL_HELPER_TIMEOUT": "2500ms",
            ])
            .helperTimeout == .milliseconds(2500))
    }
}

@Suite("registry timeouts and retry lines")
struct RegistryTimeoutSettingsTests {
    @Test("durations parse as 30s, 2m, 1m30s, 1.5s, 500ms, 1h or bare seconds; anything else is refused")
    func durations() {
        let cases: [(String, Duration?)] = [
            ("30s", .seconds(30)), ("2m", .seconds(120)), ("1m30s", .seconds(90)), ("1.5s", .milliseconds(1500)),
            ("500ms", .milliseconds(500)), ("1h", .seconds(3600)), ("45", .seconds(45)), (" 10S ", .seconds(10)),
            ("", nil), ("abc", nil), ("10x", nil), ("s", nil), ("-5s", nil), ("99999999999999999999", nil), ("1e300s", nil),
            ("nan", nil),
        ]
        for (text, expected) in cases { #expect(RegistryTimeouts.parseDuration(text) == expected, "\(text)") }
        #expect(RegistryTimeouts.words(.milliseconds(1234)) == "1.2 s" && RegistryTimeouts.words(.milliseconds(40)) == "0.04 s")
        #expect(RegistryTimeouts.words(.seconds(30)) == "30 s" && RegistryTimeouts.words(.seconds(120)) == "2 min")
    }

    @Test("the environment sets the total and the attempt timeout (blobs idle twice that); a bad value names its variable")
    func environment() throws {
        #expect(try RegistryTimeouts.from(environment: [:]) == RegistryTimeouts())
        let set = try RegistryTimeouts.from(environment: [
            "BERTH_REGISTRY_TIMEOUT": "45s", "BERTH_REGISTRY_ATTEMPT_TIMEOUT": "5s",
        ])
        #expect(set == RegistryTimeouts(attempt: .seconds(5), idle: .seconds(10), total: .seconds(45)))
        #expect {
            try RegistryTimeouts.from(environment: ["BERTH_REGISTRY_TIMEOUT": "soon"])
        } throws: { error in
            (error as? ImageStoreError)?.message.hasPrefix("BERTH_REGISTRY_TIMEOUT='soon' is not a duration") == true
        }
    }
}
