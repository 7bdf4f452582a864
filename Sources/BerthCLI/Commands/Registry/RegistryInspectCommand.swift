import ArgumentParser
import BerthCore
import BerthOCI

struct RegistryInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a manifest or index, its platforms, config, labels and referrers (SBOMs, signatures).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Argument(help: "host/repo:tag, host/repo@sha256:…, or oci:PATH:tag.") var reference: String

    struct Document: Encodable {
        struct Platform: Encodable {
            let platform: String
            let digest: String
            let size: Int64
        }
        struct Referrer: Encodable {
            /// The manifest the artifact is about (the index or one platform's image).
            let subject: String
            let digest: String
            let artifactType: String?
            let size: Int64
        }
        let reference: String
        let digest: String
        let mediaType: String
        let size: Int
        let platforms: [Platform]?
        let config: String?
        let created: String?
        let os: String?
        let architecture: String?
        let labels: [String: String]
        let layers: Int?
        var referrers: [Referrer] = []
    }

    func run() async throws {
        let parsed = try StoreFactory.reference(reference)
        let store = try StoreFactory(options: registry, environment: Environment.variables).store(for: parsed)
        let top = try await store.fetchManifest(parsed.repository, reference: parsed.reference)
        var platforms: [Document.Platform]?
        var image = top
        if top.isIndex {
            let children = try top.index().manifests
            platforms = children.map {
                Document.Platform(platform: $0.platform?.description ?? "unknown", digest: $0.digest.description, size: $0.size)
            }
            // Labels are per image: show the first platform's (they are the same for a multi-platform build).
            guard let first = children.first else {
                return try render(
                    Document(
                        reference: reference, digest: top.digest.description, mediaType: top.mediaType, size: top.bytes.count,
                        platforms: [],
                        config: nil, created: nil, os: nil, architecture: nil, labels: [:], layers: nil))
            }
            image = try await store.fetchManifest(parsed.repository, reference: first.digest.description)
        }
        let manifest = try image.manifest()
        var subjects = [top.digest]
        if top.isIndex { subjects += try top.index().manifests.map(\.digest) }
        var referrers: [Document.Referrer] = []
        for subject in subjects {
            for found in try await Referrers(store: store).list(parsed.repository, subject: subject) {
                referrers.append(
                    Document.Referrer(
                        subject: subject.description, digest: found.digest.description, artifactType: found.artifactType,
                        size: found.size))
            }
        }
        let config =
            MediaType.ociEmpty == manifest.config.mediaType
            ? nil : try? ImageConfig.parse(try await store.fetchBlob(parsed.repository, digest: manifest.config.digest))
        try render(
            Document(
                reference: reference, digest: top.digest.description, mediaType: top.mediaType, size: top.bytes.count,
                platforms: platforms,
                config: manifest.config.digest.description, created: config?.created, os: config?.os,
                architecture: config?.architecture,
                labels: config?.labels ?? [:], layers: manifest.layers.count, referrers: referrers))
    }

    func render(_ document: Document) throws {
        if global.json {
            Terminal.write(try JSONOutput.encode(document) + "\n")
            return
        }
        var rows: [(String, String)] = [
            ("digest", document.digest), ("media type", document.mediaType), ("size", "\(document.size) bytes"),
        ]
        if let platforms = document.platforms {
            rows.append(("platforms", platforms.map { "\($0.platform)  \($0.digest)" }.joined(separator: "\n")))
        }
        if let config = document.config { rows.append(("config", config)) }
        if let os = document.os, let architecture = document.architecture { rows.append(("platform", "\(os)/\(architecture)")) }
        if let created = document.created { rows.append(("created", created)) }
        if let layers = document.layers { rows.append(("layers", String(layers))) }
        if !document.labels.isEmpty {
            rows.append(
                ("labels", document.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")))
        }
        if !document.referrers.isEmpty {
            rows.append(
                (
                    "referrers",
                    document.referrers.map {
                        "\($0.artifactType ?? "unknown")  \($0.digest)  (of \(Digest($0.subject)?.short ?? $0.subject))"
                    }
                    .joined(separator: "\n")
                ))
        }
        Terminal.write(TextRenderer(color: Terminal.useColor, verbose: global.verbose).rows(rows))
    }
}
