import ArgumentParser
import BerthCore
import BerthOCI

struct RegistrySyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract:
            "Copy repositories' tagged images, by digest, with their signatures, attestations and SBOMs, to another registry.",
        discussion:
            "Sources are host/REPO, a glob of repositories (host/team/*: * within a path component, ** across, ? one "
            + "character; the source's catalog lists them) or one image (host/REPO:TAG, host/REPO@sha256:…); the destination is "
            + "host[/PREFIX], each repository landing at PREFIX/REPO. Tags: --all-tags, --tags REGEX (the whole tag), --semver "
            + "RANGE (npm syntax: '>=1.2 <2', ^1.4, ~1.4.2, 1.x; a leading v allowed); referrer and cosign tags (sha256-…) "
            + "always travel with their image, never as images. Each image goes by digest, manifests as their bytes, with every "
            + "referrer (the referrers API or the sha256-<hex> fallback index, written at a destination without the API) and "
            + "the .sig/.att/.sbom tags; what the destination has is skipped, and tags are written last, so a sync killed "
            + "mid-way and run again finishes the job. A destination tag on another digest is reported and left (exit 3) "
            + "unless --force. A release the ledger knows is recorded as replicated. Exit 1 when an image failed.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @Argument(help: ArgumentHelp("Source repositories, then the destination registry[/prefix].", valueName: "SRC… DST"))
    var locations: [String]

    @Flag(name: .customLong("all-tags"), help: "Copy every tag.") var allTags = false
    @Option(help: ArgumentHelp("Copy the tags this regular expression matches whole.", valueName: "REGEX")) var tags: String?
    @Option(help: ArgumentHelp("Copy the tags whose SemVer version is in this range.", valueName: "RANGE")) var semver: String?
    @Flag(help: "Move destination tags that name another digest.") var force = false
    // 8: copying 100 small signed images between two local registries took 18.2 s at 8 against 19.9–21.8 s at 4 (BENCHMARKS.md).
    @Option(help: "Images copied at once.") var concurrency = 8
    @Option(name: .customLong("blob-concurrency"), help: "Blob transfers at once, per image.") var blobConcurrency = 4

    func validate() throws {
        guard locations.count >= 2 else {
            throw ValidationError("name at least one source and the destination: berth registry sync SRC… DST")
        }
        guard concurrency > 0, blobConcurrency > 0 else {
            throw ValidationError("--concurrency and --blob-concurrency must be positive")
        }
    }

    func run() async throws {
        let context = try CommandContext(global: global)
        var selection = ReplicationSelection(allTags: allTags, pattern: tags)
        if let semver {
            guard let range = VersionRange(semver) else {
                throw BerthError(
                    .usage, "--semver '\(semver)' is not a version range; write it as '>=1.2.0 <2.0.0', ^1.4, ~1.4.2 or 1.x")
            }
            selection.versions = range
        }
        let (sourceHost, sources) = try Self.sources(Array(locations.dropLast()))
        let (destinationHost, prefix) = try Self.destination(locations.last!)
        let factory = try StoreFactory(options: registry, environment: context.environment)
        let progress = TransferProgress(quiet: global.quiet || !global.verbose)
        var service = ReplicationService(source: try factory.client(sourceHost), destination: try factory.client(destinationHost))
        service.sourceName = { "\(sourceHost)/\($0)" }
        service.destinationName = { "\(destinationHost)/\($0)" }
        service.imageConcurrency = concurrency
        service.blobConcurrency = blobConcurrency
        service.force = force
        service.checkpoint = context.checkpoint
        service.recorder = try await context.replicationRecorder(ledgerOptions)
        service.onEvent = { progress.report($0) }
        let jobs = try await service.plan(sources, selection: selection, destinationPrefix: prefix)
        let report = try await service.run(jobs)
        let document = ReplicationDocument(report, source: service.sourceName, destination: service.destinationName)
        if global.json {
            Terminal.write(try JSONOutput.encode(document) + "\n")
        } else if !global.quiet {
            Terminal.write(document.text(verbose: global.verbose))
        }
        if let error = document.outcome(report) { throw error }
    }

    /// The sources' registry and what each names there; globs kept in the repository. One source registry per sync.
    static func sources(_ texts: [String]) throws -> (String, [ReplicationService.SyncSource]) {
        var host: String?
        var sources: [ReplicationService.SyncSource] = []
        for text in texts {
            // Glob characters aren't in the reference grammar: parse with stand-ins, then put them back.
            let stand = text.replacingOccurrences(of: "**", with: "globxxstar").replacingOccurrences(of: "*", with: "globxstar")
                .replacingOccurrences(of: "?", with: "globxq")
            let reference = try StoreFactory.reference(stand)
            guard case .registry(let registry) = reference.store, stand.hasPrefix(registry + "/") else {
                throw BerthError(
                    .usage,
                    "sync source '\(text)' names no registry host; write it as HOST/REPO (a layout can't be synced; use registry cp)"
                )
            }
            if let host, host != registry {
                throw BerthError(.usage, "sync sources are on \(host) and \(registry); sync one source registry at a time")
            }
            host = registry
            let repository = reference.repository.replacingOccurrences(of: "globxxstar", with: "**")
                .replacingOccurrences(of: "globxstar", with: "*").replacingOccurrences(of: "globxq", with: "?")
            if ReplicationSelection.isGlob(repository) && (reference.tag != nil || reference.digest != nil) {
                throw BerthError(
                    .usage, "sync source '\(text)' has a glob and a tag; choose tags with --tags or --semver instead")
            }
            sources.append(
                ReplicationService.SyncSource(repository: repository, reference: reference.digest?.description ?? reference.tag))
        }
        return (host!, sources)
    }

    /// `host[/prefix]`.
    static func destination(_ text: String) throws -> (String, String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let host = parts.first, RegistryHost.violation(in: host) == nil,
            host.contains(".") || host.contains(":") || host == "localhost"
        else {
            throw BerthError(.usage, "sync destination '\(text)' is not a registry: write it as HOST[:PORT][/PREFIX]")
        }
        let prefix = parts.count > 1 ? parts[1].trimmingCharacters(in: ["/"]) : ""
        guard prefix.isEmpty || RepositoryName(prefix) != nil else {
            throw BerthError(
                .usage, "sync destination prefix '\(prefix)' must be lower-case path components ([a-z0-9] separated by . _ __ -)")
        }
        return (host, prefix)
    }
}
