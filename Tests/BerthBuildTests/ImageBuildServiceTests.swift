import BerthBuild
import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// A toolchain that "compiles" to fixed bytes per platform: the service's logic without Go.
struct StaticToolchain: GoToolchain {
    func build(_ invocation: GoBuildInvocation) async throws -> GoBinary {
        let platform = "\(invocation.environment["GOOS"]!)/\(invocation.environment["GOARCH"]!)"
        let info = try GoBuildInfo(parsing: "x: go1.19.8\n\tpath\texample.com/hello\n\tmod\texample.com/hello\t(devel)\t\n")
        return GoBinary(contents: Array("binary for \(platform)".utf8), buildInfo: info)
    }
}

/// A store that fails the first push of a manifest by tag: nothing may be tagged before everything is in.
final class FailingTagStore: ImageStore, @unchecked Sendable {
    let inner = InMemoryImageStore()
    var displayName: String { "failing" }
    func listTags(_ repository: String) async throws -> [String] { try await inner.listTags(repository) }
    func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        try await inner.resolve(repository, reference: reference)
    }
    func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        try await inner.fetchManifest(repository, reference: reference)
    }
    func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        try await inner.fetchBlob(repository, digest: digest)
    }
    func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        try await inner.blobExists(repository, digest: digest)
    }
    func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        if data.count > 40 { throw ImageStoreError(.unavailable, "connection reset while pushing \(digest)") }
        try await inner.pushBlob(repository, digest: digest, data: data)
    }
    func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try await inner.pushManifest(repository, reference: reference, manifest: manifest)
    }
    func deleteManifest(_ repository: String, digest: Digest) async throws {
        try await inner.deleteManifest(repository, digest: digest)
    }
    func deleteTag(_ repository: String, tag: String) async throws { try await inner.deleteTag(repository, tag: tag) }
}

struct ImageBuildServiceTests {
    static func request(base: BaseImageSource?, platforms: [String]) throws -> ImageBuildRequest {
        var settings = BuildSettings()
        settings.env = ["GIN_MODE": "release"]
        settings.ports = ["8080"]
        return ImageBuildRequest(
            settings: settings, platforms: try platforms.map { try BuildPlatform(parsing: $0) }, binaryName: "hello",
            imageName: "registry.example/hello", version: "1.2.3", ldflags: "-s -w", labels: [AnnotationKey.version: "1.2.3"],
            created: "2024-01-01T00:00:00Z", modificationTime: 1_704_067_200,
            dataFiles: [TarArchive.File(path: "index.html", contents: Array("<h1>hi</h1>".utf8), executable: false)], base: base,
            scratchDirectory: "/nonexistent")
    }

    static func layout() throws -> (OCILayoutStore, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-build-\(UUID().uuidString)").path
        return (try OCILayoutStore(path: path, create: true), path)
    }

    @Test("two platforms over an index base: each on its base child, annotated, indexed, SBOMs as referrers, tags last")
    func multiPlatformOverBase() async throws {
        let (baseStore, basePath) = try Self.layout()
        defer { try? FileManager.default.removeItem(atPath: basePath) }
        let baseIndex = try await TestImages.pushBase(into: baseStore, repository: "", tag: "1")
        let base = BaseImageSource(
            store: baseStore, repository: "", reference: baseIndex.digest.description, name: "oci:\(basePath):1")
        var settingsRequest = try Self.request(base: base, platforms: ["linux/amd64", "linux/arm64"])
        settingsRequest.settings.data = "www"
        let built = try await ImageBuildService(toolchain: StaticToolchain()).build(settingsRequest)

        #expect(built.top.isIndex)
        #expect(built.baseDigest == baseIndex.digest)
        let children = try baseIndex.index().manifests
        for (image, child) in zip(built.images, children) {
            let manifest = try image.manifest.manifest()
            #expect(manifest.annotations?[AnnotationKey.baseDigest] == child.digest.description)
            #expect(manifest.layers.count == 3, "base layer, data layer, binary layer")
            let config = try JSONDecoder().decode(JSONValue.self, from: image.config)
            #expect(config["architecture"]?.stringValue == child.platform?.architecture)
            #expect(config["config"]?["User"]?.stringValue == "65532:65532")
            #expect(config["config"]?["Env"]?.stringArray?.last == "GIN_MODE=release")
            #expect(config["config"]?["Entrypoint"]?.stringArray == ["/app/hello"])
        }
        #expect(try built.top.index().annotations?[AnnotationKey.baseDigest] == baseIndex.digest.description)
        #expect(built.sboms.count == 2)

        // Published into a layout: every tag at the index, SBOMs found through the fallback tag.
        let (store, path) = try Self.layout()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await ImagePublisher(destination: store).publish(built, to: "", tags: ["v1.2.3", "latest"])
        #expect(try await store.resolve("", reference: "v1.2.3")?.digest == built.top.digest)
        for image in built.images {
            let referrers = try await Referrers(store: store).list("", subject: image.manifest.digest)
            #expect(referrers.map(\.artifactType) == [SPDXDocument.mediaType])
            let sbom = try await store.fetchManifest("", reference: referrers[0].digest.description).manifest()
            #expect(sbom.subject?.digest == image.manifest.digest)
        }
        // Publishing again changes nothing: the referrers index doesn't grow.
        try await ImagePublisher(destination: store).publish(built, to: "", tags: ["v1.2.3"])
        #expect(try await Referrers(store: store).list("", subject: built.images[0].manifest.digest).count == 1)

        // The same inputs give the same digest.
        #expect(try await ImageBuildService(toolchain: StaticToolchain()).build(settingsRequest).top.digest == built.top.digest)
    }

    @Test("publishing says whether the build is new to the repository: what berth build --sign skips verifying for")
    func newToRepository() async throws {
        let two = try await ImageBuildService(toolchain: StaticToolchain()).build(
            try Self.request(base: nil, platforms: ["linux/amd64", "linux/arm64"]))
        let store = InMemoryImageStore()
        let publisher = ImagePublisher(destination: store)
        #expect(try await publisher.publishContent(two, to: "app"))
        #expect(try await publisher.publishContent(two, to: "app") == false, "there already: verified before signing")
        #expect(try await publisher.publishContent(two, to: "other"), "new to another repository")
        // One platform's manifest there already (an earlier index held it): not new.
        let one = try await ImageBuildService(toolchain: StaticToolchain()).build(
            try Self.request(base: nil, platforms: ["linux/amd64"]))
        #expect(try await publisher.publishContent(one, to: "single") == false, "a single manifest isn't asked about first")
        let three = try await ImageBuildService(toolchain: StaticToolchain()).build(
            try Self.request(base: nil, platforms: ["linux/amd64", "linux/arm64", "linux/riscv64"]))
        let presence = try await publisher.presence(of: three, in: "app")
        #expect(presence.present == Set(two.images.map(\.manifest.digest)) && !presence.isNew)
        #expect(
            try await publisher.publishContent(three, to: "app", presence: presence) == false, "two of its manifests were there")
        #expect(try await store.resolve("app", reference: three.images[2].manifest.digest.description) != nil, "the third pushed")
        #expect(try await publisher.presence(of: three, in: "app").present.count == 3)
    }

    @Test("a base without the platform is refused, naming the platform and what the base offers")
    func missingPlatform() async throws {
        let store = InMemoryImageStore()
        let baseIndex = try await TestImages.pushBase(into: store, repository: "base", tag: "1")
        let base = BaseImageSource(store: store, repository: "base", reference: "1", name: "registry.example/base:1")
        let error = await #expect(throws: BerthError.self) {
            try await ImageBuildService(toolchain: StaticToolchain()).build(
                try Self.request(base: base, platforms: ["linux/s390x"]))
        }
        #expect(error?.message.contains("no linux/s390x image (it has: linux/amd64, linux/arm64/v8)") == true)
        #expect(error?.message.contains(baseIndex.digest.description) == true)

        let missing = BaseImageSource(store: store, repository: "nothing", reference: "1", name: "registry.example/nothing:1")
        let notFound = await #expect(throws: BerthError.self) {
            try await ImageBuildService(toolchain: StaticToolchain()).build(
                try Self.request(base: missing, platforms: ["linux/amd64"]))
        }
        #expect(notFound?.message.contains("'registry.example/nothing:1'") == true)
    }

    @Test("a push that fails midway leaves no tag behind")
    func noHalfPushedTags() async throws {
        let built = try await ImageBuildService(toolchain: StaticToolchain()).build(
            try Self.request(base: nil, platforms: ["linux/amd64"]))
        let store = FailingTagStore()
        await #expect(throws: ImageStoreError.self) {
            try await ImagePublisher(destination: store).publish(built, to: "app", tags: ["v1.2.3", "latest"])
        }
        #expect(try await store.listTags("app").isEmpty)
    }
}
