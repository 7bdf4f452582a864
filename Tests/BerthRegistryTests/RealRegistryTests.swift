import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

/// Against Debian's Docker Distribution 2.8 on 127.0.0.1. Where it isn't installed the tests that need
/// it are reported skipped; in CI (`CI=true`; .ci/run installs it) they fail instead.
@Suite("registry client against a real Docker Distribution")
struct RealRegistryTests {
    actor DelayLog {
        var count = 0
        func add(_ delay: Duration) { count += 1 }
    }

    static func client(
        _ server: RegistryServer, credentials: any CredentialSource = AnonymousCredentials(), chunkSize: Int = 8 << 20
    ) -> RegistryClient {
        RegistryClient(
            host: server.host, credentials: credentials, transport: AsyncHTTPClientTransport.shared, chunkSize: chunkSize)
    }

    @Test(
        "the registry client keeps the ImageStore contract", .requires(.dockerRegistry),
        arguments: ImageStoreContract.all.map(\.0))
    func contract(rule: String) async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let check = try #require(ImageStoreContract.all.first { $0.0 == rule }?.1)
        try await check(Self.client(server), "contract/repo")
    }

    @Test("a registry that refuses connections: the policy's attempts over the real transport, then 'connection refused'")
    func refused() async throws {
        // Held for the whole test, on an address no test server listens on (CI once saw a stalling proxy
        // answer on a port chosen on 127.0.0.1).
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let delays = DelayLog()
        let client = RegistryClient(
            host: refusing.host, credentials: AnonymousCredentials(), transport: AsyncHTTPClientTransport.shared,
            retry: RetryPolicy(sleep: { await delays.add($0) }),
            // Time limits out of the way: with every suite starting at once, tests that wait on processes
            // can hold the 2 cooperative threads for minutes (CI saw 154 s), and this counts attempts.
            timeouts: RegistryTimeouts(attempt: .seconds(3600), idle: .seconds(3600), total: .seconds(7200)))
        let error = await #expect(throws: ImageStoreError.self) { try await client.resolve("acme/api", reference: "v1") }
        #expect(
            error?.description.contains("connection refused; check that \(refusing.host) is reachable") == true,
            "\(String(describing: error))")
        // Each failed connect comes back to the policy at once (the pool used to retry it until a 60 s deadline).
        let waits = await delays.count
        #expect(client.requestCount == client.retry.maxAttempts && waits == client.retry.maxAttempts - 1)
    }

    @Test("retag is exactly 2 requests: GET the manifest, PUT the same bytes", .requires(.dockerRegistry))
    func retagRequests() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let client = Self.client(server)
        let image = try await TestImages.push(into: client, repository: "acme/api", tag: "v1.0.0", seed: "retag")
        let before = client.requestCount
        try await Retagger(store: client).retag("acme/api", reference: "v1.0.0", tags: ["v1.0"])
        #expect(client.requestCount - before == 2)
        #expect(try await client.resolve("acme/api", reference: "v1.0")?.digest == image.digest)
    }

    @Test("an index copied to another repository keeps its digest; blobs are mounted, not moved", .requires(.dockerRegistry))
    func copyIndexWithMount() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let client = Self.client(server)
        let index = try await TestImages.pushIndex(into: client, repository: "team/a", tag: "v1", seed: "mount")
        let events = EventRecorder()
        let copied = try await ImageCopier(source: client, destination: client, onEvent: { events.add($0) })
            .copy("team/a", reference: "v1", to: "team/b", tags: ["v1"])
        #expect(copied.digest == index.digest)
        #expect(try await client.resolve("team/b", reference: "v1")?.digest == index.digest)
        #expect(events.mounted == 6 && events.copied == 0)
    }

    @Test("a copy to another registry streams blobs and verifies the destination", .requires(.dockerRegistry))
    func copyAcrossRegistries() async throws {
        let (first, second) = (try RegistryServer(), try RegistryServer())
        defer { first.stop(); second.stop() }
        let source = Self.client(first)
        let destination = Self.client(second, chunkSize: 2048)  // force PATCH chunks
        let image = try await TestImages.push(
            into: source, repository: "x/app", tag: "v3", seed: "across", layers: 3, layerSize: 5000)
        let copied = try await ImageCopier(source: source, destination: destination).copy(
            "x/app", reference: "v3", to: "y/app", tags: ["v3", "latest"])
        #expect(copied.digest == image.digest)
        #expect(try await destination.listTags("y/app").sorted() == ["latest", "v3"])
        #expect(server(second, logged: "PATCH"))
    }

    @Test("a layout streams into a registry in PATCH chunks, and back, with digests intact", .requires(.dockerRegistry))
    func layoutRegistryStreaming() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let (a, b) = (
            FileManager.default.temporaryDirectory.appendingPathComponent("s-\(UUID().uuidString)").path,
            FileManager.default.temporaryDirectory.appendingPathComponent("s-\(UUID().uuidString)").path
        )
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let layout = try OCILayoutStore(path: a)
        let image = try await TestImages.push(
            into: layout, repository: "", tag: "v1", seed: "stream", layers: 2, layerSize: 2_500_000)
        let client = Self.client(server, chunkSize: 1 << 20)
        try await ImageCopier(source: layout, destination: client).copy("", reference: "v1", to: "s/app", tags: ["v1"])
        #expect(server.accessLogRequests().filter { $0.hasPrefix("\"PATCH ") }.count == 4)
        let back = try OCILayoutStore(path: b)
        let copied = try await ImageCopier(source: client, destination: back).copy("s/app", reference: "v1", to: "", tags: ["v1"])
        #expect(copied.digest == image.digest)
        for blob in try image.manifest().blobs { #expect(try await back.blobExists("", digest: blob.digest)) }
    }

    func server(_ server: RegistryServer, logged method: String) -> Bool {
        server.accessLogRequests().contains { $0.hasPrefix("\"\(method) ") }
    }

    @Test("safe single-tag delete removes one tag and keeps its aliases", .requires(.dockerRegistry))
    func safeTagDelete() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let client = Self.client(server)
        let image = try await TestImages.push(into: client, repository: "acme/api", tag: "v1.2.3", seed: "delete")
        try await client.pushManifest("acme/api", reference: "latest", manifest: image)
        try await client.deleteTag("acme/api", tag: "latest")
        #expect(try await client.resolve("acme/api", reference: "latest") == nil)
        #expect(try await client.resolve("acme/api", reference: "v1.2.3")?.digest == image.digest)
        #expect(try await client.listTags("acme/api") == ["v1.2.3"])
    }

    @Test(
        "Basic auth: anonymous is refused with a hint, the right password works, a wrong one is named",
        .requires(.dockerRegistry, .htpasswd))
    func basicAuth() async throws {
        let server = try RegistryServer(basicAuth: true)
        defer { server.stop() }
        await #expect {
            try await Self.client(server).listTags("acme/api")
        } throws: { error in
            (error as? ImageStoreError)?.message.contains("--password-stdin") == true
        }
        let good = Self.client(
            server, credentials: StaticCredentials(.basic(username: server.username!, password: server.password!)))
        try await TestImages.push(into: good, repository: "acme/api", tag: "v1", seed: "auth")
        #expect(try await good.listTags("acme/api") == ["v1"])
        let bad = Self.client(server, credentials: StaticCredentials(.basic(username: server.username!, password: "wrong")))
        await #expect {
            try await bad.listTags("acme/api")
        } throws: { error in
            let message = (error as? ImageStoreError)?.message ?? ""
            return message.contains("401") && !message.contains("wrong")
        }
    }

    @Test("credentials come from docker's config.json auths (scheme and path normalised)", .requires(.dockerRegistry, .htpasswd))
    func dockerConfig() async throws {
        let server = try RegistryServer(basicAuth: true)
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth = Data("\(server.username!):\(server.password!)".utf8).base64EncodedString()
        try Data(#"{"auths":{"http://\#(server.host)/v2/":{"auth":"\#(auth)"}}}"#.utf8).write(
            to: dir.appendingPathComponent("config.json"))
        let credentials = try DockerConfigCredentials(environment: ["DOCKER_CONFIG": dir.path])
        #expect(try credentials.credential(for: server.host) == .basic(username: server.username!, password: server.password!))
        let client = Self.client(server, credentials: credentials)
        try await TestImages.push(into: client, repository: "cfg/api", tag: "v1", seed: "cfg")
        #expect(try await client.catalog().contains("cfg/api"))
    }

    @Test("skopeo reads what berth pushed, and berth reads what skopeo pushed", .requires(.dockerRegistry, .skopeo))
    func skopeoInterop() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let client = Self.client(server)
        let index = try await TestImages.pushIndex(into: client, repository: "acme/api", tag: "v1", seed: "skopeo")
        let inspect = try Shell.run(
            "/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(server.host)/acme/api:v1"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(Digest.sha256(of: Data(inspect.stdout.utf8)) == index.digest)
        let layout = FileManager.default.temporaryDirectory.appendingPathComponent("skopeo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: layout) }
        let child = try index.index().manifests[0].digest
        let copy = try Shell.run(
            "/usr/bin/skopeo",
            ["copy", "--quiet", "--src-tls-verify=false", "docker://\(server.host)/acme/api@\(child)", "oci:\(layout):one"])
        #expect(copy.status == 0, "\(copy.stderr)")
        let back = try Shell.run(
            "/usr/bin/skopeo",
            ["copy", "--quiet", "--dest-tls-verify=false", "oci:\(layout):one", "docker://\(server.host)/other/api:from-skopeo"])
        #expect(back.status == 0, "\(back.stderr)")
        // skopeo may rewrite the manifest on the way (it re-detects layer compression), so compare with
        // the bytes skopeo itself reports for what it pushed.
        let pushed = try Shell.run(
            "/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(server.host)/other/api:from-skopeo"])
        let document = try await client.fetchManifest("other/api", reference: "from-skopeo")
        #expect(document.digest == Digest.sha256(of: Data(pushed.stdout.utf8)))
        for blob in try document.manifest().blobs {
            #expect(try await client.blobExists("other/api", digest: blob.digest))
        }
    }
}

final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [TransferEvent] = []
    func add(_ event: TransferEvent) { lock.withLock { list.append(event) } }
    var mounted: Int { lock.withLock { list.filter { if case .blobMounted = $0 { true } else { false } }.count } }
    var copied: Int { lock.withLock { list.filter { if case .blobCopied = $0 { true } else { false } }.count } }
}

@Suite("docker config.json credentials")
struct DockerConfigCredentialTests {
    static func directory(_ config: String, helper: String? = nil) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        if let helper {
            let script = dir.appendingPathComponent("docker-credential-test")
            try Data(helper.utf8).write(to: script)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        }
        return dir
    }

    @Test("auths keys are normalised; Docker Hub's v1 URL is docker.io; identity tokens are kept")
    func auths() throws {
        let dir = try Self.directory(
            #"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(Data("hub:pw".utf8).base64EncodedString())"},"registry.example:5000":{"identitytoken":"refresh-xyz"}}}"#
        )
        defer { try? FileManager.default.removeItem(at: dir) }
        let credentials = try DockerConfigCredentials(environment: ["DOCKER_CONFIG": dir.path])
        #expect(try credentials.credential(for: "docker.io") == .basic(username: "hub", password: "pw"))
        #expect(try credentials.credential(for: "registry.example:5000") == .identityToken("refresh-xyz"))
        #expect(try credentials.credential(for: "other.example") == nil)
    }

    @Test("credHelpers and credsStore run the docker-credential-helper protocol")
    func helpers() throws {
        let helper = """
            #!/bin/sh
            read server
            if [ "$server" = "helped.example" ]; then echo '{"ServerURL":"helped.example","Username":"bot","Secret":"from-helper"}'; exit 0; fi
            if [ "$server" = "https://index.docker.io/v1/" ]; then echo '{"Username":"<token>","Secret":"hub-refresh"}'; exit 0; fi
            echo "credentials not found in native keychain"; exit 1
            """
        let dir = try Self.directory(#"{"credHelpers":{"helped.example":"test"},"credsStore":"test"}"#, helper: helper)
        defer { try? FileManager.default.removeItem(at: dir) }
        let credentials = try DockerConfigCredentials(environment: [
            "DOCKER_CONFIG": dir.path, "PATH": "\(dir.path):/usr/bin:/bin",
        ])
        #expect(try credentials.credential(for: "helped.example") == .basic(username: "bot", password: "from-helper"))
        #expect(try credentials.credential(for: "docker.io") == .identityToken("hub-refresh"))
        #expect(try credentials.credential(for: "unknown.example") == nil)
    }

    @Test("a missing helper is a clear error")
    func missingHelper() throws {
        let dir = try Self.directory(#"{"credsStore":"nonexistent"}"#)
        defer { try? FileManager.default.removeItem(at: dir) }
        let credentials = try DockerConfigCredentials(environment: ["DOCKER_CONFIG": dir.path, "PATH": "/usr/bin"])
        #expect {
            try credentials.credential(for: "x.example")
        } throws: { error in
            (error as? ImageStoreError)?.message.contains("docker-credential-nonexistent") == true
        }
    }
}
