import BerthOCI

/// The settings of berth's own tag strategy.
public struct TagPolicy: Hashable, Sendable {
    /// Prepended by `{{prefix}}` (the `v` in `v1.2.3`); empty gives `1.2.3`.
    public var prefix: String
    public var templates: TagTemplates
    /// Templates per pre-release id, overriding `templates.prerelease`.
    public var channelTemplates: [String: [String]]
    public var buildMetadata: BuildMetadataMapping

    public init(
        prefix: String = "v", templates: TagTemplates = .defaults, channelTemplates: [String: [String]] = [:],
        buildMetadata: BuildMetadataMapping = .hyphen
    ) {
        self.prefix = prefix
        self.templates = templates
        self.channelTemplates = channelTemplates
        self.buildMetadata = buildMetadata
    }
}

/// Computes berth's default tag plan from a version decision.
public enum TagPlanner {
    /// Tags for `decision` under `policy`. `existing` are the release tags already in git, which decide
    /// whether floating tags move; `buildTime` (seconds since the epoch) feeds `{{date}}`.
    public static func plan(
        _ decision: VersionDecision, policy: TagPolicy, existing: TagCatalog, images: [String], buildTime: Int64
    ) throws(BerthError) -> TagPlan {
        let version = try mappedVersion(decision.version, policy.buildMetadata)
        let templates = policy.templates.templates(for: decision.channel, perChannel: policy.channelTemplates)
        var tags: [PlannedTag] = []
        var omitted: [String] = []
        var seen = Set<String>()
        for template in templates {
            let mobility = TagMobility(template: template)
            if !decision.carriesVersionTags && usesVersion(template) {
                omitted.append("\(template): no release since \(decision.base?.name ?? "the start")")
                continue
            }
            if let reason = floatingOmission(mobility, decision: decision, existing: existing) {
                omitted.append("\(template): \(reason)")
                continue
            }
            let text = try render(template, decision: decision, version: version, policy: policy, buildTime: buildTime)
            guard let tag = ImageTag(text) else {
                throw BerthError(
                    .badInput,
                    "tag '\(text)' from template '\(template)' is not a valid OCI tag: \(ImageTag.violation(in: text) ?? "invalid"); change the template in berth.yaml"
                )
            }
            if seen.insert(text).inserted { tags.append(PlannedTag(tag: tag, mobility: mobility, source: template)) }
        }
        return TagPlan(images: images, tags: tags, version: version, omitted: omitted)
    }

    /// The version as it may appear in a tag: build metadata mapped per the policy.
    static func mappedVersion(_ version: SemanticVersion, _ mapping: BuildMetadataMapping) throws(BerthError) -> String {
        guard !version.build.isEmpty else { return version.description }
        switch mapping {
        case .hyphen: return version.description.replacingOccurrences(of: "+", with: "-")
        case .drop: return version.withoutBuild.description
        case .refuse:
            throw BerthError(
                .badInput,
                "version '\(version)' has build metadata, which an OCI tag can't hold ('+' is not allowed); set image.build_metadata to hyphen or drop"
            )
        }
    }

    static func usesVersion(_ template: String) -> Bool {
        ["version", "core", "major", "minor", "patch", "prerelease"].contains { template.contains("{{\($0)") }
            || TagMobility(template: template) == .highest
    }

    /// Why a floating tag must not move to this version, or nil when it may.
    static func floatingOmission(_ mobility: TagMobility, decision: VersionDecision, existing: TagCatalog) -> String? {
        guard mobility != .fixed else { return nil }
        let version = decision.version
        if version.isPrerelease { return "a pre-release never moves a floating tag" }
        let higher = existing.releases.last { version.precedes($0.version) && sameLine($0.version, version, mobility) }
        if let higher { return "\(higher.name) is higher in this line" }
        if mobility == .majorLine && version.major == .zero { return "no major-line tag for 0.x (every 0.y may break)" }
        return nil
    }

    static func sameLine(_ a: SemanticVersion, _ b: SemanticVersion, _ mobility: TagMobility) -> Bool {
        switch mobility {
        case .minorLine: a.major == b.major && a.minor == b.minor
        case .majorLine: a.major == b.major
        case .highest, .fixed: true
        }
    }

    static func render(
        _ template: String, decision: VersionDecision, version: String, policy: TagPolicy, buildTime: Int64
    ) throws(BerthError) -> String {
        let v = decision.version
        let values: [String: String] = [
            "prefix": policy.prefix, "version": version, "core": v.core.description, "major": v.major.description,
            "minor": v.minor.description, "patch": v.patch.description, "prerelease": v.prereleaseString,
            "sha": String(decision.headCommit.prefix(7)), "sha_long": decision.headCommit,
            "branch": sanitizedBranch(decision.branch), "channel": decision.channel.name,
        ]
        do {
            return try TemplateRenderer.render(template, escape: false) { expression throws(TemplateError) -> String? in
                if expression.name == "date" {
                    return try DateFormat.format(
                        seconds: Double(buildTime), expression.arguments.first ?? "YYYYMMDD",
                        timeZone: expression.options["tz"] ?? "UTC")
                }
                guard let value = values[expression.name] else {
                    throw TemplateError(
                        template: template,
                        reason:
                            "unknown placeholder '{{\(expression.name)}}' (use \(values.keys.sorted().joined(separator: ", ")), date)"
                    )
                }
                return value
            }
        } catch {
            throw BerthError(.usage, "\(error.description); fix it in berth.yaml")
        }
    }

    /// A branch name made tag-safe: runs outside `[A-Za-z0-9._-]` become `-`, leading `.`/`-` removed.
    public static func sanitizedBranch(_ branch: String) -> String {
        var text = MetadataActionTagger.sanitize(branch)
        while let first = text.first, first == "." || first == "-" { text.removeFirst() }
        while let last = text.last, last == "-" { text.removeLast() }
        return text
    }
}
