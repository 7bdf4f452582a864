import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// skopeo and umoci read what berth writes; berth reads what they write. In CI the tools are installed
/// by .ci/run and a missing one fails; elsewhere the runner reports the tests skipped.
@Suite("OCI layout interop with skopeo and umoci", .requires(.skopeo, .umoci, .tar, .gzip))
struct InteropTests {

    /// An image with a real gzip'd tar layer holding `hello.txt`, and diff_ids, as umoci needs.
    static func pushRealImage(into store: any ImageStore, tag: String, label: String) async throws -> ManifestDocument {
        let work = temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: "\(work)/root", withIntermediateDirectories: true)
        try Data("hello from berth\n".utf8).write(to: URL(fileURLWithPath: "\(work)/root/hello.txt"))
        try Shell.run(
            "/bin/tar",
            [
                "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C", "\(work)/root", "-cf",
                "\(work)/layer.tar", ".",
            ]
        ).check()
        try Shell.run("/bin/gzip", ["-n", "-k", "\(work)/layer.tar"]).check()
        let tar = try Data(contentsOf: URL(fileURLWithPath: "\(work)/layer.tar"))
        let gz = try Data(contentsOf: URL(fileURLWithPath: "\(work)/layer.tar.gz"))
        let config = Data(
            """
            {"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.version":"\(label)"}},"rootfs":{"type":"layers","diff_ids":["\(Digest.sha256(of: tar))"]}}
            """.utf8)
        let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count))
        let layerDescriptor = Descriptor(mediaType: MediaType.ociLayerTarGzip, digest: .sha256(of: gz), size: Int64(gz.count))
        try await store.pushBlob("", digest: configDescriptor.digest, data: config)
        try await store.pushBlob("", digest: layerDescriptor.digest, data: gz)
        let manifest = ImageManifest(config: configDescriptor, layers: [layerDescriptor])
        let document = try ManifestDocument(bytes: try CanonicalJSON.encode(manifest), mediaType: MediaType.ociManifest)
        try await store.pushManifest("", reference: tag, manifest: document)
        return document
    }

    @Test("skopeo inspects and copies a layout berth wrote; umoci unpacks it")
    func toolsReadBerth() async throws {
        let path = temporaryDirectory("layout")
        let copy = temporaryDirectory("skopeo-copy")
        let bundle = temporaryDirectory("bundle")
        defer { for p in [path, copy, bundle] { try? FileManager.default.removeItem(atPath: p) } }
        let store = try OCILayoutStore(path: path)
        let image = try await Self.pushRealImage(into: store, tag: "v1.2.3", label: "1.2.3")
        let inspect = try Shell.run("/usr/bin/skopeo", ["inspect", "oci:\(path):v1.2.3"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains(image.digest.description))
        #expect(inspect.stdout.contains("\"org.opencontainers.image.version\": \"1.2.3\""))
        let copied = try Shell.run("/usr/bin/skopeo", ["copy", "--quiet", "oci:\(path):v1.2.3", "oci:\(copy):v1.2.3"])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(try await OCILayoutStore(path: copy, create: false).resolve("", reference: "v1.2.3")?.digest == image.digest)
        let unpack = try Shell.run("/usr/bin/umoci", ["unpack", "--rootless", "--image", "\(path):v1.2.3", bundle])
        #expect(unpack.status == 0, "\(unpack.stderr)")
        #expect(try String(contentsOfFile: "\(bundle)/rootfs/hello.txt", encoding: .utf8) == "hello from berth\n")
    }

    @Test("berth reads tags, manifests and config labels from a layout umoci wrote, and copies it")
    func berthReadsUmoci() async throws {
        let path = temporaryDirectory("umoci")
        let target = temporaryDirectory("berth-copy")
        defer { for p in [path, target] { try? FileManager.default.removeItem(atPath: p) } }
        try Shell.run("/usr/bin/umoci", ["init", "--layout", path]).check()
        try Shell.run("/usr/bin/umoci", ["new", "--image", "\(path):base"]).check()
        try Shell.run(
            "/usr/bin/umoci",
            ["config", "--image", "\(path):base", "--tag", "v2", "--config.label", "org.opencontainers.image.version=2.0.0"]
        ).check()
        let store = try OCILayoutStore(path: path, create: false)
        #expect(Set(try await store.listTags("")) == ["base", "v2"])
        let manifest = try await store.fetchManifest("", reference: "v2").manifest()
        let config = try ImageConfig.parse(try await store.fetchBlob("", digest: manifest.config.digest))
        #expect(config.labels["org.opencontainers.image.version"] == "2.0.0")
        let destination = try OCILayoutStore(path: target)
        let copied = try await ImageCopier(source: store, destination: destination).copy(
            "", reference: "v2", to: "", tags: ["v2"])
        let inspect = try Shell.run("/usr/bin/skopeo", ["inspect", "oci:\(target):v2"])
        #expect(inspect.status == 0 && inspect.stdout.contains(copied.digest.description), "\(inspect.stderr)")
    }
}
