import ArgumentParser
import BerthBuild
import BerthCore
import BerthOCI
import Foundation

extension DockerfileDriver: ExpressibleByArgument {}

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the Go service's image without a daemon, reproducibly, and push it to every planned tag.",
        discussion:
            "Plans the version first (as berth plan), then runs go build (-trimpath, CGO_ENABLED=0, berth's -ldflags) "
            + "for each platform, packs the binary into layers that are identical for identical inputs, adds them "
            + "to the base image (build.base, pinned by digest, or scratch), attaches an SPDX SBOM as an OCI "
            + "referrer, and pushes to each image name (registry or oci:PATH): blobs and manifests first, tags "
            + "last. The same commit gives the same digest on any machine with the same Go. With --driver, runs "
            + "the project's Dockerfile with buildah, podman or docker instead. The build and each push are recorded "
            + "in the ledger (built, pushed), which is opened before anything is built; --no-record skips it. "
            + "With berth.yaml's sign: (or --sign --key FILE) the pushed digest is then signed and attested (SLSA "
            + "provenance of this build, each platform's SBOM), writing only what the key's own verification doesn't "
            + "find; the key is read before anything is built (an encrypted key is decrypted while the image builds, "
            + "before anything is pushed). "
            + "Exit codes: 0 ok, 1 build, registry or I/O failure, 3 tag conflict, 64 usage/config, 65 bad input.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var signOptions: SignOptions

    @Option(
        name: .customLong("platform"),
        help: ArgumentHelp("os/arch[/variant] to build (repeatable; default: build.platforms).", valueName: "PLATFORM"))
    var platforms: [String] = []

    @Option(
        help: ArgumentHelp("Base image: REF@sha256:…, oci:PATH@sha256:…, or scratch (default: build.base).", valueName: "REF"))
    var base: String?

    @Option(help: ArgumentHelp("Run the Dockerfile with buildah, podman or docker instead.", valueName: "TOOL"))
    var driver: DockerfileDriver?

    @Flag(name: .customLong("no-sbom"), help: "Don't attach an SBOM.")
    var noSBOM = false

    @Flag(name: .customLong("dry-run"), help: "Show what would run and where it would go; build nothing.")
    var dryRun = false

    @Flag(name: .customLong("no-record"), help: "Don't record the build and its pushes in the ledger.")
    var noRecord = false

    func run() async throws {
        let context = try CommandContext(global: global)
        let plan = try await context.plan(options, registry: registryOptions)
        try failIfChecksFailed(plan)
        var settings = context.configuration.build
        if !platforms.isEmpty { settings.platforms = platforms }
        if let base { settings.base = base }
        if noSBOM { settings.sbom = false }
        let buildPlatforms = try settings.platforms.map { text throws(BerthError) in try BuildPlatform(parsing: text) }
        let destinations = try plan.tags.images.map(StoreFactory.reference)
        guard !destinations.isEmpty else {
            throw BerthError(
                .usage, "no image to build: set image.names in berth.yaml or pass --images REGISTRY/REPO (or oci:PATH)")
        }
        let tags = plan.tags.tags.map(\.tag.value)
        guard !tags.isEmpty else { throw BerthError(.usage, "the plan has no tag to push: run berth plan -v to see why") }

        // Opened first: a ledger that can't be written (or a key that can't be read) fails the build before minutes of work.
        // An encrypted key's decryption (PBKDF2, ~300 ms of a core) goes on beside the build; it is awaited before any push.
        let recorder = dryRun || noRecord ? nil : try await context.recorder(ledgerOptions)
        let pendingSigning = dryRun ? nil : try context.pendingSigning(signOptions)
        let started = Date()
        if let driver {
            try await runDriver(
                driver, plan: plan, settings: settings, context: context, recorder: recorder,
                signing: try await pendingSigning?.value())
            return
        }
        let directory = context.projectDirectory
        let goMod = FileManager.default.contents(atPath: "\(directory)/go.mod").map { String(decoding: $0, as: UTF8.self) }
        let binaryName = settings.binaryName(goMod: goMod)
        let ldflags = plan.metadata.ldflags
        if dryRun {
            for platform in buildPlatforms {
                let invocation = GoBuildInvocation(
                    settings: settings, platform: platform, ldflags: ldflags, output: "$TMP/\(platform)/\(binaryName)")
                let environment = invocation.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                Terminal.write(
                    "(cd \(directory) && \(environment.joined(separator: " ")) \(invocation.arguments.map(Self.quoted).joined(separator: " ")))\n"
                )
            }
            Terminal.write("base: \(settings.base)\n")
            Terminal.write(plan.tags.references.map { "push: \($0)\n" }.joined())
            return
        }

        let factory = try StoreFactory(options: registryOptions, environment: context.environment)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("berth-build-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let dataFiles = try settings.data.map { try DataFolder.files(at: "\(directory)/\($0)") } ?? []
        let request = ImageBuildRequest(
            settings: settings, platforms: buildPlatforms, binaryName: binaryName, imageName: plan.tags.images[0],
            version: plan.decision.version.description, ldflags: ldflags,
            labels: Dictionary(plan.metadata.labels.map { ($0.key, $0.value) }) { $1 }, created: plan.metadata.created,
            modificationTime: plan.metadata.createdSeconds, dataFiles: dataFiles,
            base: try baseSource(settings.base, factory: factory), scratchDirectory: scratch)

        let quiet = global.quiet
        let timer = CompileTimer()
        let service = ImageBuildService(
            toolchain: GoCommandToolchain(directory: directory, command: settings.goCommand), compress: ParallelGzip.compress,
            onEvent: { event in
                timer.record(event)
                if !quiet { Terminal.writeError(Self.describe(event)) }
            })
        let built: BuiltImage
        do { built = try await service.build(request) } catch let failure as GoBuildFailure {
            throw failure.berthError
        }
        let keyWait = Date()
        let signing = try await pendingSigning?.value()
        let assembled = Date()
        let progress = TransferProgress(quiet: quiet)
        var publishers: [(ImagePublisher, ImageReference)] = []
        var staged: [Int: AttestationService.Staged] = [:]
        let template = provenance(plan, main: settings.main, started: started)
        for (position, destination) in destinations.enumerated() {
            let publisher = ImagePublisher(
                destination: try factory.store(for: destination, createLayout: true), onEvent: { progress.report($0) })
            let presence = try await publisher.presence(of: built, in: destination.repository)
            // A digest new to the repository has nothing there to verify: its statements are signed and their
            // blobs pushed while the image is, in the time the push spends waiting on its requests.
            async let staging = Self.stage(
                signing, presence: presence, destination: destination, built: built, store: publisher.destination,
                template: template)
            try await publisher.publishContent(built, to: destination.repository, presence: presence)
            do {
                if let begun = try await staging { staged[position] = begun }
            } catch {
                Self.noteUntagged(built, quiet: quiet)
                throw error
            }
            publishers.append((publisher, destination))
        }
        // A digest new to the repository gets its tags once its signatures are in, in the pause before
        // signing's final check, so no tag names it unsigned; elsewhere the tags are written while what
        // the key finds there already is verified. A failed signing of a new digest leaves it untagged
        // (a re-run finds it pushed, signs what is missing and tags it); elsewhere, or once its tags are
        // under way, every tag still lands (not cancelled half-way).
        let tagging = StartedOnce { [publishers] in try await Self.tag(built, tags: tags, publishers: publishers) }
        if staged.isEmpty { tagging.start() }
        let signed: TrustDocuments.AttestDocument?
        do {
            signed = try await sign(
                built.top.digest, destinations: destinations, plan: plan, main: settings.main, started: started,
                signing: signing, factory: factory, made: built.staged, staged: staged,
                whileSettling: { _ = try await tagging.value() })
        } catch {
            guard staged.isEmpty || tagging.isStarted else {
                Self.noteUntagged(built, quiet: quiet)
                throw error
            }
            _ = try? await tagging.value()
            throw error
        }
        let signedAt = Date()
        let pushed = try await tagging.value()
        // What signing added: the wait for the key, if its decryption outlasted the build, and the time the
        // signing went on after the tags were written.
        let timings = BuildDocument.Seconds(
            goBuild: timer.total, image: keyWait.timeIntervalSince(started) - timer.total,
            push: pushed.timeIntervalSince(assembled),
            sign: signing == nil
                ? nil : assembled.timeIntervalSince(keyWait) + max(0, signedAt.timeIntervalSince(pushed)))
        try await recorder?.recordBuild(
            plan, digest: built.top.digest, destinations: plan.tags.images, tags: tags,
            details: [
                "platforms": built.images.map { "\($0.platform)" }.joined(separator: ","),
                "base": built.images.first?.base.map { "\($0.name)@\(built.baseDigest ?? $0.digest)" } ?? "scratch",
                "builder": "berth",
            ])
        if !quiet {
            Terminal.writeError(progress.summary(built.top.digest))
            Terminal.writeError(
                String(format: "go build %.2f s, image %.2f s, push %.2f s", timings.goBuild, timings.image, timings.push)
                    + (timings.sign.map { String(format: ", sign %.2f s", $0) } ?? "") + "\n")
        }
        try render(built, plan: plan, timings: timings, signed: signed)
    }

    /// Says on stderr that `built` is pushed by digest but, its signing having failed, not tagged.
    private static func noteUntagged(_ built: BuiltImage, quiet: Bool) {
        guard !quiet else { return }
        Terminal.writeError(
            "berth: note: \(built.top.digest) is pushed but not tagged: its signing failed; run berth build again to sign and tag it\n"
        )
    }

    /// Puts `tags` on `built` in every destination its publisher pushed it to; returns when the last one landed.
    private static func tag(_ built: BuiltImage, tags: [String], publishers: [(ImagePublisher, ImageReference)])
        async throws -> Date
    {
        for (publisher, destination) in publishers { try await publisher.tag(built, in: destination.repository, tags: tags) }
        return Date()
    }

    /// With signing on, signs and attests `digest` in every destination (what a verification with the
    /// key already finds there is not written again); the JSON document's `signing` member.
    /// `made`: berth's own build, pushed whole to every destination by now, so what it made is read from
    /// memory rather than asked of the registry again. `staged`: the destinations (by position) that
    /// didn't hold the digest before this run pushed it, whose signing began during the push (`stage`);
    /// `whileSettling` runs in their pause before the final check.
    private func sign(
        _ digest: Digest, destinations: [ImageReference], plan: ReleasePlan, main: String?, started: Date,
        signing: TrustComposition.Signing?, factory: StoreFactory, made: StagedImageStore? = nil,
        staged: [Int: AttestationService.Staged] = [:], whileSettling: (@Sendable () async throws -> Void)? = nil
    ) async throws -> TrustDocuments.AttestDocument? {
        try await signing?.sign(
            destinations.map { ($0, digest) }, template: provenance(plan, main: main, started: started),
            factory: factory, quiet: global.quiet || global.json, made: made, staged: staged, whileSettling: whileSettling)
    }

    /// The first pass of signing `built` in `destination` (`TrustComposition.Signing.stage`) when signing
    /// is on and the repository holds none of it yet; nil otherwise.
    private static func stage(
        _ signing: TrustComposition.Signing?, presence: ImagePublisher.Presence, destination: ImageReference,
        built: BuiltImage, store: any ImageStore, template: SLSAProvenance
    ) async throws -> AttestationService.Staged? {
        guard let signing, presence.isNew else { return nil }
        return try await signing.stage(
            destination, digest: built.top.digest, template: template, store: store, made: built.staged)
    }

    /// The provenance template of this run (`TrustComposition.provenance`).
    private func provenance(_ plan: ReleasePlan, main: String?, started: Date) -> SLSAProvenance {
        TrustComposition.provenance(plan, main: main, startedOn: started, environment: Environment.variables)
    }

    /// `scratch`, or the base reference resolved through the registry client or a layout.
    private func baseSource(_ text: String, factory: StoreFactory) throws -> BaseImageSource? {
        guard text != "scratch" else { return nil }
        let reference = try StoreFactory.reference(text)
        let name = reference.ledgerName + (reference.tag.map { ":\($0)" } ?? "")
        return BaseImageSource(
            store: try factory.store(for: reference), repository: reference.repository, reference: reference.reference, name: name
        )
    }

    private func runDriver(
        _ driver: DockerfileDriver, plan: ReleasePlan, settings: BuildSettings, context: CommandContext,
        recorder: PipelineRecorder?, signing: TrustComposition.Signing?
    ) async throws {
        let directory = context.projectDirectory
        let references = plan.tags.references
        // The driver may push over plain http only when every image's registry is on this machine, decided
        // on the address by the same predicate as berth's own registry client (not on a name's spelling).
        let loopback = plan.tags.images.allSatisfy { image in
            guard let reference = try? ImageReference(parsing: image), case .registry(let host) = reference.store else {
                return false
            }
            return RegistryHost.isLoopback(host)
        }
        let inputs = DockerfileDriver.Inputs(
            dockerfile: settings.dockerfile, context: ".", references: references, labels: plan.metadata.labels,
            buildArgs: plan.metadata.buildArgs,
            platforms: platforms.isEmpty && settings.platforms == ["linux/amd64"] ? [] : settings.platforms,
            sourceDateEpoch: plan.metadata.createdSeconds, insecureRegistry: registryOptions.insecure || loopback)
        let invocation = driver.invocation(inputs)
        if dryRun {
            Terminal.write(
                invocation.commands.map { "(cd \(directory) && \($0.map(Self.quoted).joined(separator: " ")))\n" }.joined())
            return
        }
        let started = Date()
        try DriverRunner(directory: directory, environment: ["SOURCE_DATE_EPOCH": String(plan.metadata.createdSeconds)])
            .run(invocation, echo: { line in if !global.quiet { Terminal.writeError("+ \(line)\n") } })
        if recorder != nil || signing != nil {
            // The driver pushed; what landed is read back, so the ledger names the digest and the signature signs it.
            let factory = try StoreFactory(options: registryOptions, environment: context.environment)
            let destinations = try plan.tags.images.map(StoreFactory.reference)
            let first = destinations[0]
            let tag = plan.tags.tags[0].tag.value
            guard let pushed = try await factory.store(for: first).resolve(first.repository, reference: tag) else {
                throw BerthError(
                    .failure,
                    "\(driver.rawValue) finished but \(plan.tags.images[0]):\(tag) isn't in the registry; nothing recorded or signed"
                )
            }
            try await recorder?.recordBuild(
                plan, digest: pushed.digest, destinations: plan.tags.images,
                tags: plan.tags.tags.map(\.tag.value),
                details: ["builder": driver.rawValue])
            _ = try await sign(
                pushed.digest, destinations: destinations, plan: plan, main: nil, started: started, signing: signing,
                factory: factory)
        }
        if global.json {
            Terminal.write(
                try JSONOutput.encode(["driver": driver.rawValue, "references": references.joined(separator: ",")]) + "\n")
        } else {
            Terminal.write(references.joined(separator: "\n") + "\n")
        }
    }

    private func render(
        _ built: BuiltImage, plan: ReleasePlan, timings: BuildDocument.Seconds, signed: TrustDocuments.AttestDocument?
    ) throws {
        if global.json {
            var document = BuildDocument(built, plan: plan, seconds: timings)
            document.signing = signed
            Terminal.write(try JSONOutput.encode(document) + "\n")
        } else if global.quiet {
            Terminal.write(built.top.digest.description + "\n")
        } else {
            var rows: [(String, String)] = [
                ("digest", built.top.digest.description), ("version", plan.decision.version.description),
            ]
            rows.append(("platforms", built.images.map { "\($0.platform)  \($0.manifest.digest)" }.joined(separator: "\n")))
            if let base = built.images.first?.base { rows.append(("base", "\(base.name)@\(built.baseDigest ?? base.digest)")) }
            if !built.sboms.isEmpty {
                rows.append(("sbom", built.sboms.map { "\($0.platform)  \($0.artifact.digest)" }.joined(separator: "\n")))
            }
            rows.append(("pushed", plan.tags.references.joined(separator: "\n")))
            Terminal.write(TextRenderer(color: Terminal.useColor, verbose: global.verbose).rows(rows))
        }
    }

    static func describe(_ event: BuildEvent) -> String {
        switch event {
        case .resolvedBase(let name, let digest): "base    \(name) → \(digest)\n"
        case .compiling(let platform): "go build \(platform)\n"
        case .compiled(let platform, let bytes): "built   \(platform) (\(TransferProgress.format(Int64(bytes))))\n"
        case .assembled(let platform, let digest): "image   \(platform) \(digest)\n"
        }
    }

    /// A word as a shell would need it, for display only (berth itself never runs a shell).
    static func quoted(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@+%$")
        if !word.isEmpty && word.unicodeScalars.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Time spent in `go build`, from each platform's start to its end.
struct CompileTimer: Sendable {
    private let state = Locked<(started: Date?, seconds: Double)>((nil, 0))

    func record(_ event: BuildEvent) {
        state.withLock { state in
            switch event {
            case .compiling: state.started = Date()
            case .compiled:
                if let started = state.started { state.seconds += Date().timeIntervalSince(started) }
                state.started = nil
            default: break
            }
        }
    }

    var total: Double { state.current.seconds }
}

/// `berth build --json`.
struct BuildDocument: Encodable {
    /// Wall time of each phase: berth's own work is `image` + `push` (+ `sign`).
    struct Seconds: Encodable {
        let goBuild: Double
        let image: Double
        let push: Double
        /// With signing on: signing and attesting after the push, and any wait for the key's decryption.
        var sign: Double? = nil
    }
    struct PlatformImage: Encodable {
        let platform: String
        let digest: String
        let config: String
        let layers: [String]
        let sbom: String?
    }
    let digest: String
    let mediaType: String
    let version: String
    let references: [String]
    let base: String?
    let baseDigest: String?
    let images: [PlatformImage]
    let seconds: Seconds
    /// With signing on: what was signed and attested (and what was there already, in `notes`).
    var signing: TrustDocuments.AttestDocument?

    init(_ built: BuiltImage, plan: ReleasePlan, seconds: Seconds) {
        self.seconds = seconds
        digest = built.top.digest.description
        mediaType = built.top.mediaType
        version = plan.decision.version.description
        references = plan.tags.references
        base = built.images.first?.base?.name
        baseDigest = built.baseDigest?.description
        images = built.images.map { image in
            PlatformImage(
                platform: image.platform.description, digest: image.manifest.digest.description,
                config: Digest.sha256(of: image.config).description, layers: image.layers.map(\.descriptor.digest.description),
                sbom: built.sboms.first { $0.subject == image.manifest.digest }?.artifact.digest.description)
        }
    }
}
