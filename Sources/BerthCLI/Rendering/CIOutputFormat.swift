import BerthCore
import Foundation

/// `--format`: how `berth plan` hands its result to CI systems and build tools.
enum CIOutputFormat: String, CaseIterable {
    /// `name=value` / heredoc entries for `$GITHUB_OUTPUT`, named as docker/metadata-action names them.
    case github
    /// dotenv for GitLab's `artifacts:reports:dotenv`.
    case gitlab
    /// `KEY='value'` lines for a POSIX shell's `eval` or `.`.
    case env
    /// One `docker build`/`buildx` argument per line: `--tag`, `--label`, `--build-arg`.
    case dockerArgs = "docker-args"

    /// The rendered output for `plan`.
    func render(_ plan: ReleasePlan) throws -> String { try render(PlanOutputs(plan)) }

    /// The rendered output for a plan, or for docker/metadata-action's outputs before any checkout.
    func render(_ plan: PlanOutputs) throws -> String {
        try Self.checkOneLine(plan.metadata)
        switch self {
        case .github: return try Self.githubEntries(plan).map { Self.githubEntry($0.0, $0.1) }.joined()
        case .gitlab: return Self.variables(plan).map { "\($0.0)=\($0.1)\n" }.joined()
        case .env: return Self.variables(plan).map { "\($0.0)=\(Self.shellQuoted($0.1))\n" }.joined()
        case .dockerArgs: return try Self.dockerArgs(plan)
        }
    }

    /// Refuses a label or build arg holding a line break or another control character. Each goes out as
    /// one line (`--format github`'s labels, annotations and build-args lists, a docker-args line), so a
    /// line break would forge another entry; berth.yaml's labels are refused on load, and this catches values
    /// from elsewhere (the CI's repository URL, a git ref).
    static func checkOneLine(_ metadata: BuildMetadata) throws {
        let entries =
            metadata.labels.map { ("label", $0.key, $0.value) } + metadata.buildArgs.map { ("build arg", $0.key, $0.value) }
        for (kind, key, value) in entries {
            guard let bad = value.unicodeScalars.first(where: isControl) else { continue }
            let code = String(bad.value, radix: 16, uppercase: true)
            throw BerthError(
                .badInput,
                "\(kind) '\(key)' holds the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) in '\(value)', which would split CI output lines; fix where it comes from (berth.yaml labels, the CI's repository URL)"
            )
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// The flat variables of `gitlab` and `env`: lists comma-separated, as dotenv can't hold newlines.
    /// Without a checkout there is no decision from git, so no git tag, new-version flag or channel.
    static func variables(_ plan: PlanOutputs) -> [(String, String)] {
        var vars: [(String, String)] = [("BERTH_VERSION", plan.version)]
        if let decision = plan.decision {
            vars += [
                ("BERTH_GIT_TAG", decision.tagName), ("BERTH_NEW_VERSION", decision.isNewVersion ? "true" : "false"),
                ("BERTH_CHANNEL", decision.channel.name),
            ]
        }
        vars += [
            ("BERTH_TAGS", plan.tags.tags.map(\.tag.value).joined(separator: ",")),
            ("BERTH_IMAGE_REFS", plan.tags.references.joined(separator: ",")),
            ("BERTH_REVISION", plan.revision),
            ("BERTH_CREATED", plan.metadata.created),
            ("BERTH_LDFLAGS", plan.metadata.ldflags),
        ]
        vars += plan.metadata.buildArgs.map { ("BERTH_BUILD_ARG_\($0.key)", $0.value) }
        return vars.map { ($0.0, $0.1.replacingOccurrences(of: "\n", with: " ")) }
    }

    /// The `$GITHUB_OUTPUT` entries, named as docker/metadata-action names them; with its rules, its
    /// `tag-names`, labels, annotations at their levels and `json` as it writes them.
    static func githubEntries(_ plan: PlanOutputs) throws -> [(String, String)] {
        var outputs: [(String, String)] = [("version", plan.version), ("tags", plan.tags.references.joined(separator: "\n"))]
        if let action = plan.action { outputs.append(("tag-names", action.tagNames.joined(separator: "\n"))) }
        outputs += try githubLabelEntries(plan)
        if let decision = plan.decision {
            outputs += [
                ("git-tag", decision.tagName), ("new-version", decision.isNewVersion ? "true" : "false"),
                ("channel", decision.channel.name),
            ]
        }
        outputs += [
            ("revision", plan.revision),
            ("created", plan.metadata.created),
            ("ldflags", plan.metadata.ldflags),
            ("build-args", plan.metadata.buildArgs.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")),
        ]
        return outputs
    }

    /// The `labels`, `annotations` and `json` entries (`berth labels --format github`).
    static func githubLabelEntries(_ plan: PlanOutputs) throws -> [(String, String)] {
        let labels = plan.metadata.labels.map { "\($0.key)=\($0.value)" }
        let json: String
        let annotations: [String]
        if let action = plan.action {
            annotations = action.annotations
            json = try JSONOutput.encode(action.json, pretty: false)
        } else {
            struct PlanJSON: Encodable {
                let tags: [String]
                let labels: [String: String]
                let annotations: [String]
            }
            annotations = plan.metadata.labels.map { "manifest:\($0.key)=\($0.value)" }
            json = try JSONOutput.encode(
                PlanJSON(
                    tags: plan.tags.references,
                    labels: Dictionary(uniqueKeysWithValues: plan.metadata.labels.map { ($0.key, $0.value) }),
                    annotations: annotations),
                pretty: false)
        }
        return [
            ("labels", labels.joined(separator: "\n")), ("annotations", annotations.joined(separator: "\n")), ("json", json),
        ]
    }

    /// Appends `text` to the file `$GITHUB_OUTPUT` names, else writes it to stdout.
    static func writeGitHubOutput(_ text: String, environment: [String: String]) throws {
        guard let path = environment["GITHUB_OUTPUT"], !path.isEmpty else {
            Terminal.write(text)
            return
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw BerthError(.failure, "can't write GITHUB_OUTPUT file '\(path)'; check that it exists and is writable")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// `berth tags --format github`: docker/metadata-action's `version`, `tags`, `tag-names` and `json`
    /// (tags and tag names) outputs, which need no checkout in metadata-action mode.
    static func githubTags(_ tags: TagPlan) throws -> String {
        struct TagsJSON: Encodable {
            let tags: [String]
            let tagNames: [String]
            enum CodingKeys: String, CodingKey {
                case tags
                case tagNames = "tag-names"
            }
        }
        let names = tags.tags.map(\.tag.value)
        let json = try JSONOutput.encode(TagsJSON(tags: tags.references, tagNames: names), pretty: false)
        return [
            ("version", tags.version), ("tags", tags.references.joined(separator: "\n")),
            ("tag-names", names.joined(separator: "\n")), ("json", json),
        ].map { githubEntry($0.0, $0.1) }.joined()
    }

    /// One `$GITHUB_OUTPUT` entry; multi-line values use the heredoc form with a delimiter not in the value.
    static func githubEntry(_ name: String, _ value: String) -> String {
        guard value.contains("\n") else { return "\(name)=\(value)\n" }
        var delimiter = "berth_\(name)_EOF"
        while value.contains(delimiter) { delimiter += "_" }
        return "\(name)<<\(delimiter)\n\(value)\n\(delimiter)\n"
    }

    static func dockerArgs(_ plan: PlanOutputs) throws -> String {
        guard !plan.tags.images.isEmpty else {
            throw BerthError(
                .usage, "--format docker-args needs image names for --tag; set image.names in berth.yaml or pass --images NAME")
        }
        var args: [String] = []
        for reference in plan.tags.references { args += ["--tag", reference] }
        for label in plan.metadata.labels { args += ["--label", "\(label.key)=\(label.value)"] }
        for arg in plan.metadata.buildArgs { args += ["--build-arg", "\(arg.key)=\(arg.value)"] }
        return args.map { $0.replacingOccurrences(of: "\n", with: " ") + "\n" }.joined()
    }

    /// POSIX single quotes: safe for any value.
    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
