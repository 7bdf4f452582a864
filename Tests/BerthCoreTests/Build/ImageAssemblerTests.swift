import BerthCore
import BerthOCI
import Foundation
import Testing

struct ImageAssemblerTests {
    static let created = "2024-01-01T00:00:00Z"

    static func layer() throws -> ImageLayer {
        let tar = try TarArchive(
            files: [.init(path: "app/hello", contents: Array("binary".utf8), executable: true)], modificationTime: 1_704_067_200
        ).bytes()
        return ImageLayer.pack(tar: tar, compression: .gzip, createdBy: "berth build: /app/hello (go build .)")
    }

    static let settings = RuntimeSettings(
        entrypoint: ["/app/hello"], user: "65532:65532", environment: ["GIN_MODE": "release", "PATH": "/app"], ports: ["8080"],
        workingDirectory: "/app", labels: ["org.opencontainers.image.version": "1.2.3"], created: created)

    /// A Docker-built base: docker layer types, a Cmd, env, history, and a field berth doesn't model.
    static func base() throws -> BaseImage {
        let layer = Descriptor(mediaType: MediaType.dockerLayer, digest: Digest.sha256(of: Data("base layer".utf8)), size: 10)
        let config = """
            {"architecture":"amd64","os":"linux","created":"2023-05-01T10:00:00Z","docker_version":"24.0.2",
             "config":{"Env":["PATH=/usr/bin:/bin","TZ=UTC"],"Cmd":["/bin/sh"],"Labels":{"maintainer":"base"}},
             "rootfs":{"type":"layers","diff_ids":["sha256:\(String(repeating: "a", count: 64))"]},
             "history":[{"created":"2023-05-01T10:00:00Z","created_by":"ADD rootfs.tar /"}]}
            """
        let manifest = ImageManifest(
            mediaType: MediaType.dockerManifest,
            config: Descriptor(
                mediaType: MediaType.dockerConfig, digest: Digest.sha256(of: Data(config.utf8)), size: Int64(config.utf8.count)),
            layers: [layer])
        return BaseImage(
            name: "registry.example/base:1", digest: Digest.sha256(of: Data("base manifest".utf8)), manifest: manifest,
            config: try JSONDecoder().decode(JSONValue.self, from: Data(config.utf8)))
    }

    @Test("over scratch: config and manifest are exactly the golden bytes")
    func scratch() throws {
        let image = try ImageAssembler.assemble(
            platform: BuildPlatform(parsing: "linux/amd64"), base: nil, layers: [Self.layer()], settings: Self.settings)
        GoldenExpectation.expect(String(decoding: image.config, as: UTF8.self) + "\n", "config-scratch.json")
        GoldenExpectation.expect(String(decoding: image.manifest.bytes, as: UTF8.self) + "\n", "manifest-scratch.json")
    }

    @Test("over a base: its layers (as OCI types), env and history are kept, Cmd reset, base annotations added")
    func overBase() throws {
        let base = try Self.base()
        let image = try ImageAssembler.assemble(
            platform: BuildPlatform(parsing: "linux/amd64"), base: base, layers: [Self.layer()], settings: Self.settings)
        let config = try JSONDecoder().decode(JSONValue.self, from: image.config)
        #expect(config["config"]?["Cmd"] == nil)
        #expect(config["config"]?["Env"]?.stringArray == ["TZ=UTC", "GIN_MODE=release", "PATH=/app"])
        #expect(config["config"]?["Labels"]?["maintainer"]?.stringValue == "base")
        #expect(config["config"]?["ExposedPorts"]?.objectValue?.keys.sorted() == ["8080/tcp"])
        #expect(config["docker_version"]?.stringValue == "24.0.2")
        #expect(config["rootfs"]?["diff_ids"]?.stringArray?.count == 2)
        #expect(config["history"]?.arrayValue?.count == 2)
        let manifest = try image.manifest.manifest()
        #expect(manifest.layers.map(\.mediaType) == [MediaType.ociLayerTarGzip, MediaType.ociLayerTarGzip])
        #expect(manifest.annotations?[AnnotationKey.baseName] == "registry.example/base:1")
        #expect(manifest.annotations?[AnnotationKey.baseDigest] == base.digest.description)
        #expect(image.manifest.mediaType == MediaType.ociManifest)
    }

    @Test("a base whose config doesn't match its layers is refused")
    func inconsistentBase() throws {
        var base = try Self.base()
        base = BaseImage(
            name: base.name, digest: base.digest, manifest: ImageManifest(config: base.manifest.config, layers: []),
            config: base.config)
        #expect(throws: BerthError.self) {
            try ImageAssembler.assemble(
                platform: BuildPlatform(parsing: "linux/amd64"), base: base, layers: [Self.layer()], settings: Self.settings)
        }
    }

    @Test("several platforms make an index with each platform and the plan's annotations")
    func index() throws {
        let images = try ["linux/amd64", "linux/arm64"].map {
            try ImageAssembler.assemble(
                platform: BuildPlatform(parsing: $0), base: nil, layers: [Self.layer()], settings: Self.settings)
        }
        let index = try ImageAssembler.index(of: images, labels: Self.settings.labels, base: nil)
        GoldenExpectation.expect(String(decoding: index.bytes, as: UTF8.self) + "\n", "index.json")
    }

    @Test("an uncompressed layer's digest is its diff ID")
    func uncompressed() throws {
        let tar = try TarArchive(files: [.init(path: "a", contents: [1], executable: false)], modificationTime: 0).bytes()
        let layer = ImageLayer.pack(tar: tar, compression: .none, createdBy: "x")
        #expect(layer.descriptor.digest == layer.diffID)
        #expect(layer.descriptor.mediaType == MediaType.ociLayerTar)
    }
}

struct DockerfileDriverTests {
    static func inputs(platforms: [String] = [], insecure: Bool = false) -> DockerfileDriver.Inputs {
        DockerfileDriver.Inputs(
            dockerfile: "Dockerfile", context: ".", references: ["reg.example/api:v1.2.3", "reg.example/api:latest"],
            labels: [("org.opencontainers.image.version", "1.2.3")], buildArgs: [("VERSION", "1.2.3")], platforms: platforms,
            sourceDateEpoch: 1_704_067_200, insecureRegistry: insecure)
    }

    @Test("buildah: one layer, fixed timestamp, no identity label, every tag, then a push per tag")
    func buildah() {
        #expect(
            DockerfileDriver.buildah.invocation(Self.inputs()).commands == [
                [
                    "buildah", "build", "--layers=false", "--timestamp=1704067200", "--identity-label=false",
                    "--file=Dockerfile", "--label=org.opencontainers.image.version=1.2.3", "--build-arg=VERSION=1.2.3",
                    "--build-arg=SOURCE_DATE_EPOCH=1704067200", "--tag=reg.example/api:v1.2.3", "--tag=reg.example/api:latest",
                    "--", ".",
                ],
                ["buildah", "push", "--", "reg.example/api:v1.2.3", "docker://reg.example/api:v1.2.3"],
                ["buildah", "push", "--", "reg.example/api:latest", "docker://reg.example/api:latest"],
            ])
    }

    @Test("podman with several platforms builds a manifest list and pushes it whole, without TLS for a loopback registry")
    func podmanMultiPlatform() {
        let commands = DockerfileDriver.podman.invocation(Self.inputs(platforms: ["linux/amd64", "linux/arm64"], insecure: true))
            .commands
        #expect(
            commands[0].starts(with: ["podman", "build", "--layers=false", "--timestamp=1704067200", "--identity-label=false"])
        )
        #expect(commands[0].contains("--platform=linux/amd64,linux/arm64"))
        #expect(Array(commands[0].suffix(3)) == ["--manifest=reg.example/api:v1.2.3", "--", "."])
        #expect(
            commands[1] == [
                "podman", "manifest", "push", "--all", "--tls-verify=false", "--", "reg.example/api:v1.2.3",
                "docker://reg.example/api:v1.2.3",
            ])
        #expect(commands.count == 3)
    }

    @Test("docker: buildx with SOURCE_DATE_EPOCH, rewritten timestamps, no provenance, pushed as built")
    func docker() {
        #expect(
            DockerfileDriver.docker.invocation(Self.inputs()).commands == [
                [
                    "docker", "buildx", "build", "--file=Dockerfile", "--label=org.opencontainers.image.version=1.2.3",
                    "--build-arg=VERSION=1.2.3", "--build-arg=SOURCE_DATE_EPOCH=1704067200", "--tag=reg.example/api:v1.2.3",
                    "--tag=reg.example/api:latest", "--provenance=false", "--output=type=image,push=true,rewrite-timestamp=true",
                    "--", ".",
                ]
            ])
    }

    @Test("values that look like options stay values: each joined to its flag, the context after --")
    func hostileValues() throws {
        var inputs = Self.inputs()
        inputs.dockerfile = "--output=type=local,dest=/"
        inputs.context = "-"
        inputs.buildArgs = [("--privileged", "x")]
        for driver in [DockerfileDriver.buildah, .podman, .docker] {
            let build = driver.invocation(inputs).commands[0]
            let separator = try #require(build.firstIndex(of: "--"))
            #expect(build[(separator + 1)...] == ["-"])
            #expect(build[..<separator].allSatisfy { $0.hasPrefix("--") || !$0.hasPrefix("-") })
            #expect(build.contains("--file=--output=type=local,dest=/") && build.contains("--build-arg=--privileged=x"))
            #expect(!build.contains("--output=type=local,dest=/"))
        }
    }
}
