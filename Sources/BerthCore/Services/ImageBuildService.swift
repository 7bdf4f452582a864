import BerthOCI
import Foundation

/// Where a build's base image comes from: a store, a repository in it and a manifest digest or tag.
public struct BaseImageSource: Sendable {
    public let store: any ImageStore
    public let repository: String
    /// A digest (pinned) or a tag, resolved once at the start of the build.
    public let reference: String
    /// The name for `org.opencontainers.image.base.name` (the reference without its digest).
    public let name: String

    public init(store: any ImageStore, repository: String, reference: String, name: String) {
        self.store = store
        self.repository = repository
        self.reference = reference
        self.name = name
    }
}

/// Everything one `berth build` needs, decided before anything runs.
public struct ImageBuildRequest: Sendable {
    public var settings: BuildSettings
    public var platforms: [BuildPlatform]
    /// The binary's name in `/app`.
    public var binaryName: String
    /// The image's name for the SBOM.
    public var imageName: String
    /// The plan's version, ldflags, labels and creation time.
    public var version: String
    public var ldflags: String
    public var labels: [String: String]
    public var created: String
    /// The layers' file times: SOURCE_DATE_EPOCH or the commit time.
    public var modificationTime: Int64
    /// Files of the data folder, with paths relative to it.
    public var dataFiles: [TarArchive.File]
    public var base: BaseImageSource?
    /// A directory the binaries are written to.
    public var scratchDirectory: String

    public init(
        settings: BuildSettings, platforms: [BuildPlatform], binaryName: String, imageName: String, version: String,
        ldflags: String, labels: [String: String], created: String, modificationTime: Int64, dataFiles: [TarArchive.File],
        base: BaseImageSource?, scratchDirectory: String
    ) {
        self.settings = settings
        self.platforms = platforms
        self.binaryName = binaryName
        self.imageName = imageName
        self.version = version
        self.ldflags = ldflags
        self.labels = labels
        self.created = created
        self.modificationTime = modificationTime
        self.dataFiles = dataFiles
        self.base = base
        self.scratchDirectory = scratchDirectory
    }
}

/// An SBOM attached to one platform's image.
public struct BuiltSBOM: Sendable {
    public let subject: Digest
    public let platform: BuildPlatform
    public let artifact: ManifestDocument
}

/// A build, ready to publish: its images, the top document (index or manifest) and where its bytes are.
public struct BuiltImage: Sendable {
    public let images: [AssembledImage]
    /// What tags point at: the index for several platforms, else the one manifest.
    public let top: ManifestDocument
    public let sboms: [BuiltSBOM]
    public let staged: StagedImageStore
    /// The base's top digest (its index, for a multi-platform base), when there is a base.
    public let baseDigest: Digest?
}

/// What a build reports as it goes.
public enum BuildEvent: Sendable, Equatable {
    case resolvedBase(name: String, digest: Digest)
    case compiling(BuildPlatform)
    case compiled(BuildPlatform, bytes: Int)
    case assembled(BuildPlatform, digest: Digest)
}

/// Builds a Go service's image without a daemon: compiles each platform, packs the binary (and the
/// data folder) into reproducible layers over the base image, writes configs, manifests, the index
/// and SBOMs. Nothing is pushed here; `ImagePublisher` does that.
public struct ImageBuildService: Sendable {
    public let toolchain: any GoToolchain
    /// Compresses a layer's tar (the adapter runs berth's DEFLATE segments in parallel).
    public let compress: @Sendable ([UInt8]) -> [UInt8]
    public var onEvent: (@Sendable (BuildEvent) -> Void)?

    public init(
        toolchain: any GoToolchain, compress: @escaping @Sendable ([UInt8]) -> [UInt8] = Gzip.compress,
        onEvent: (@Sendable (BuildEvent) -> Void)? = nil
    ) {
        self.toolchain = toolchain
        self.compress = compress
        self.onEvent = onEvent
    }

    public func build(_ request: ImageBuildRequest) async throws -> BuiltImage {
        guard !request.platforms.isEmpty else {
            throw BerthError(.usage, "no platform to build: set build.platforms or --platform")
        }
        let (bases, baseDigest) = try await resolveBases(request)
        let app = BuildSettings.appDirectory
        let runtime = RuntimeSettings(
            entrypoint: ["/\(app)/\(request.binaryName)"], user: request.settings.user, environment: request.settings.env,
            ports: request.settings.ports, workingDirectory: "/\(app)", labels: request.labels, created: request.created)

        // The data layer is the same for every platform: pack it once.
        var dataLayer: ImageLayer?
        if !request.dataFiles.isEmpty, let folder = request.settings.data {
            let name = Self.lastComponent(folder)
            let files = request.dataFiles.map {
                TarArchive.File(path: "\(app)/\(name)/\($0.path)", contents: $0.contents, executable: $0.executable)
            }
            let tar = try Self.tarBytes(files, time: request.modificationTime)
            dataLayer = ImageLayer.pack(
                tar: tar, compression: request.settings.compression, createdBy: "berth build: /\(app)/\(name) (data)",
                compress: compress)
        }

        var images: [AssembledImage] = []
        var sboms: [BuiltSBOM] = []
        var blobs: [Digest: Data] = [:]
        for platform in request.platforms {
            onEvent?(.compiling(platform))
            let output =
                "\(request.scratchDirectory)/\(platform.description.replacingOccurrences(of: "/", with: "-"))/\(request.binaryName)"
            let binary = try await toolchain.build(
                GoBuildInvocation(settings: request.settings, platform: platform, ldflags: request.ldflags, output: output))
            onEvent?(.compiled(platform, bytes: binary.contents.count))
            let tar = try Self.tarBytes(
                [TarArchive.File(path: "\(app)/\(request.binaryName)", contents: binary.contents, executable: true)],
                time: request.modificationTime)
            let binaryLayer = ImageLayer.pack(
                tar: tar, compression: request.settings.compression,
                createdBy: "berth build: /\(app)/\(request.binaryName) (go build \(request.settings.main))", compress: compress)
            let layers = [dataLayer, binaryLayer].compactMap { $0 }
            let image = try ImageAssembler.assemble(platform: platform, base: bases[platform], layers: layers, settings: runtime)
            onEvent?(.assembled(platform, digest: image.manifest.digest))
            images.append(image)
            blobs[Digest.sha256(of: image.config)] = image.config
            for layer in layers { blobs[layer.descriptor.digest] = layer.blob }

            if request.settings.sbom, let info = binary.buildInfo {
                let document = try SPDXDocument(
                    name: request.imageName, version: request.version, buildInfo: info, subject: image.manifest.digest,
                    created: request.created)
                let blob = Descriptor(
                    mediaType: SPDXDocument.mediaType, digest: Digest.sha256(of: document.bytes),
                    size: Int64(document.bytes.count),
                    annotations: [AnnotationKey.title: "sbom.spdx.json"])
                let artifact = try Referrers.artifact(
                    type: SPDXDocument.mediaType, blob: blob, subject: image.manifest.descriptor,
                    annotations: [AnnotationKey.created: request.created])
                blobs[blob.digest] = document.bytes
                blobs[Referrers.emptyConfig.digest] = Referrers.emptyConfigBytes
                sboms.append(BuiltSBOM(subject: image.manifest.digest, platform: platform, artifact: artifact))
            }
        }

        let top: ManifestDocument
        if images.count == 1 {
            top = images[0].manifest
        } else {
            top = try ImageAssembler.index(
                of: images, labels: request.labels, base: request.base.flatMap { base in baseDigest.map { (base.name, $0) } })
        }
        let staged = StagedImageStore(
            blobs: blobs, manifests: images.map(\.manifest) + sboms.map(\.artifact) + (images.count > 1 ? [top] : []),
            fallback: request.base.map { ($0.store, $0.repository) })
        return BuiltImage(images: images, top: top, sboms: sboms, staged: staged, baseDigest: baseDigest)
    }

    /// The base's image for each platform; a platform the base lacks is an error naming both.
    private func resolveBases(_ request: ImageBuildRequest) async throws -> ([BuildPlatform: BaseImage], Digest?) {
        guard let source = request.base else { return ([:], nil) }
        let top: ManifestDocument
        do {
            top = try await source.store.fetchManifest(source.repository, reference: source.reference)
        } catch let error as ImageStoreError where error.kind == .notFound {
            throw BerthError(
                .failure,
                "base image '\(source.name)' (\(source.reference)) was not found in \(source.store.displayName)/\(source.repository): check build.base, or push the base there first"
            )
        }
        onEvent?(.resolvedBase(name: source.name, digest: top.digest))
        var bases: [BuildPlatform: BaseImage] = [:]
        for platform in request.platforms {
            var document = top
            if top.isIndex {
                let children = try top.index().manifests
                guard let child = children.first(where: { $0.platform.map(platform.matches) ?? false }) else {
                    let offered = children.compactMap { $0.platform?.description }.joined(separator: ", ")
                    throw BerthError(
                        .usage,
                        "base image '\(source.name)@\(top.digest)' has no \(platform) image (it has: \(offered.isEmpty ? "none" : offered)): choose a base that has it, or drop the platform"
                    )
                }
                document = try await source.store.fetchManifest(source.repository, reference: child.digest.description)
            }
            let manifest = try document.manifest()
            let configBytes = try await source.store.fetchBlob(source.repository, digest: manifest.config.digest)
            let config: JSONValue
            do { config = try JSONDecoder().decode(JSONValue.self, from: configBytes) } catch {
                throw BerthError(
                    .badInput,
                    "base image '\(source.name)' has an unreadable config \(manifest.config.digest): choose another base")
            }
            if !top.isIndex, let os = config["os"]?.stringValue, let architecture = config["architecture"]?.stringValue,
                !platform.matches(Platform(architecture: architecture, os: os, variant: config["variant"]?.stringValue))
            {
                throw BerthError(
                    .usage,
                    "base image '\(source.name)@\(top.digest)' is \(os)/\(architecture), not \(platform): choose a multi-platform base or build \(os)/\(architecture)"
                )
            }
            bases[platform] = BaseImage(name: source.name, digest: document.digest, manifest: manifest, config: config)
        }
        return (bases, top.digest)
    }

    private static func tarBytes(_ files: [TarArchive.File], time: Int64) throws -> [UInt8] {
        do { return try TarArchive(files: files, modificationTime: time).bytes() } catch {
            throw BerthError(.badInput, error.description)
        }
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
