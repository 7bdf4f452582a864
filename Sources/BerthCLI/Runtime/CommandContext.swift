import BerthConfig
import BerthCore
import BerthGit
import BerthOCI
import Foundation

/// The composition root: builds the live dependencies (config, CI context, git on demand, and through
/// LifecycleComposition the ledger, stores, clock, actor and checkpoint) once for a command.
struct CommandContext {
    let directory: String
    let configuration: BerthConfiguration
    let environment: [String: String]
    let ci: CIContext
    /// The berth.yaml in use, if any; its directory is the project's (the Go module's, for builds).
    let configFile: String?

    init(global: GlobalOptions) throws {
        let cwd = FileManager.default.currentDirectoryPath
        let directory = global.directory.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 } ?? cwd
        guard FileManager.default.fileExists(atPath: directory) else {
            throw BerthError(.usage, "directory '\(global.directory ?? directory)' does not exist; pass an existing -C DIR")
        }
        self.directory = directory
        let environment = ProcessInfo.processInfo.environment
        self.environment = environment
        if let path = global.configPath {
            configFile = path.hasPrefix("/") ? path : cwd + "/" + path
            configuration = try ConfigurationLoader.load(path: configFile!)
        } else if let found = ConfigurationLoader.find(from: directory) {
            configFile = found
            configuration = try ConfigurationLoader.load(path: found)
        } else {
            configFile = nil
            configuration = BerthConfiguration()
        }
        var payload: Data?
        if let eventPath = environment["GITHUB_EVENT_PATH"], !eventPath.isEmpty {
            payload = FileManager.default.contents(atPath: eventPath)
        }
        ci = CIContext.detect(environment: environment, eventPayload: payload)
    }

    /// The git repository; made on first use, so commands that only read the ledger need no git.
    var git: GitRepository {
        get throws { try GitRepository(directory: directory) }
    }

    /// Whether the directory is a git checkout (false too when git isn't installed).
    var hasCheckout: Bool { GitRepository.exists(at: directory) }

    /// The project's directory: berth.yaml's, else the working directory.
    var projectDirectory: String {
        configFile.map { ($0 as NSString).deletingLastPathComponent } ?? directory
    }

    /// The configuration with the command line's overrides applied. With docker/metadata-action rules the
    /// image names are the action's `images:` lines: `enable=false` drops one, capitals are lower-cased.
    func configuration(with options: PlanOptions) throws -> BerthConfiguration {
        var config = configuration
        if let prefix = options.tagPrefix { config.version.tagPrefix = prefix }
        if let path = options.path { config.version.path = path }
        if options.finalChannel { config.version.prereleaseLine = .final }
        if let branch = options.defaultBranch { config.defaultBranch = branch }
        if !options.tagRules.isEmpty { config.metadataTags = options.tagRules }
        if !options.flavorRules.isEmpty { config.metadataFlavor = options.flavorRules }
        if !options.labelLines.isEmpty { config.metadataLabels = options.labelLines }
        if !options.annotationLines.isEmpty { config.metadataAnnotations = options.annotationLines }
        if !config.usesMetadataActionRules && !(config.metadataLabels.isEmpty && config.metadataAnnotations.isEmpty) {
            throw BerthError(
                .usage,
                "docker/metadata-action labels:/annotations: lines (--label, --annotation, image.metadata_action) apply over the action's labels and need its tags:/flavor: rules; pass --tag/--flavor, or set berth's own labels in berth.yaml's labels:"
            )
        }
        if config.usesMetadataActionRules {
            let lines = options.images.isEmpty ? config.images : options.images.flatMap(MetadataInputList.lines)
            config.images = try MetadataImage.references(lines)
            return config
        }
        let images = options.images.flatMap { $0.split(whereSeparator: { $0 == "," || $0.isNewline }) }
            .map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !images.isEmpty { config.images = images }
        return config
    }

    /// `oci:PATH` without tag or digest: a local OCI layout as an image name.
    static func isLayoutName(_ image: String) -> Bool {
        guard image.hasPrefix("oci:"), let reference = try? ImageReference(parsing: image) else { return false }
        return reference.tag == nil && reference.digest == nil
    }

    /// The request for `PlanService`, from options.
    func planRequest(_ options: PlanOptions) throws -> PlanRequest {
        let config = try configuration(with: options)
        // The registry host first, by the same strict rules as every reference (bad input, 65).
        for image in config.images where !image.hasPrefix("oci:") {
            let first = image.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            guard image.contains("/"), first.contains(".") || first.contains(":") || first == "localhost" else { continue }
            if let problem = RegistryHost.violation(in: first) {
                throw BerthError(.badInput, "image '\(image)': registry host '\(first)': \(problem)")
            }
        }
        for image in config.images where RepositoryName(image) == nil && !Self.isLayoutName(image) {
            throw BerthError(
                .usage,
                "image '\(image)' is not an image name: use lowercase letters, digits and separators, without tag or digest (such as ghcr.io/acme/api, or oci:PATH for a local layout); tags come from the plan"
            )
        }
        if let path = options.path, let problem = ConfigurationLoader.versionPathProblem(path) {
            throw BerthError(.usage, "--path '\(path)' \(problem)")
        }
        var request = PlanRequest(
            configuration: config, ci: ci, environment: environment, now: try Self.clock(options.now))
        request.branch = options.branch
        request.allowDirty = options.allowDirty
        request.environmentName = options.environment
        request.createdFromClock = options.createdNow
        request.checkRemote = !options.offline
        request.deepenFrom = try Self.deepenRemote(options, config: config)
        request.metadataActionExact = options.metadataActionExact
        return request
    }

    /// `--now` as seconds since the epoch (RFC 3339 or a number), else the wall clock. Only real times
    /// between 1970 and the year 9999 are taken: `nan`, `inf`, `1e20` or `2024-02-30T00:00:00Z` are usage errors.
    static func clock(_ text: String?) throws -> Double {
        guard let text else { return Date().timeIntervalSince1970 }
        let range = Double(RFC3339.supportedSeconds.lowerBound)...Double(RFC3339.supportedSeconds.upperBound)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Double(_:) also reads nan, inf and hexadecimal floats: take plain decimal numbers only.
        let numeric = !trimmed.isEmpty && trimmed.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        guard let seconds = numeric ? Double(trimmed) : RFC3339.seconds(trimmed), seconds.isFinite else {
            throw BerthError(
                .usage,
                "--now '\(text)' is not a time; use RFC 3339 (2024-01-31T12:00:00Z) or seconds since the epoch (1706702400)")
        }
        guard range.contains(seconds) else {
            throw BerthError(
                .usage,
                "--now '\(text)' is outside 1970-01-01T00:00:00Z … 9999-12-31T23:59:59Z (0 to \(RFC3339.supportedSeconds.upperBound) seconds); pass a real time such as 2024-01-31T12:00:00Z"
            )
        }
        return seconds
    }

    /// docker/metadata-action's outputs when its rules are given and there is no checkout: as the action
    /// does, the GitHub context alone; nil otherwise (berth's own versioning reads git history).
    func metadataActionWithoutCheckout(_ options: PlanOptions) throws -> MetadataActionOutputs? {
        let request = try planRequest(options)
        guard request.configuration.usesMetadataActionRules && !hasCheckout else { return nil }
        return try MetadataActionPlanner.outputs(request, checkout: nil, remoteURL: nil)
    }

    /// Plans with every check, adding the registry's (`--registry`) when asked.
    func plan(_ options: PlanOptions, registry: RegistryOptions) async throws -> ReleasePlan {
        let plan = try planService().plan(try planRequest(options))
        guard options.registry else { return plan }
        return plan.with(
            findings: plan.findings
                + (try await registryFindings(plan.tags, revision: plan.decision.headCommit, options, registry: registry)))
    }

    /// The registry's checks of `tags` (`--registry`): a tag already elsewhere is a conflict.
    func registryFindings(
        _ tags: TagPlan, revision: String, _ options: PlanOptions, registry: RegistryOptions
    ) async throws -> [CheckFinding] {
        guard !tags.images.isEmpty else {
            throw BerthError(.usage, "--registry needs image names to look in; set image.names in berth.yaml or pass --images")
        }
        var expected: Digest?
        if let text = options.digest {
            guard let digest = Digest(text) else {
                throw BerthError(.badInput, "--digest '\(text)' is not a digest (sha256:<64 hex>)")
            }
            expected = digest
        }
        let factory = try StoreFactory(options: registry, environment: environment)
        var findings: [CheckFinding] = []
        for image in tags.images {
            let reference = try StoreFactory.reference(image)
            let store = try factory.store(for: reference)
            findings += try await RegistryTagCheck(store: store, repository: reference.repository)
                .check(tags, revision: revision, digest: expected)
        }
        return findings
    }
}
