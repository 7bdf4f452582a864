import BerthCore
import Foundation
import Yams

/// Reads berth.yaml into a `BerthConfiguration`, strictly: every key is known, every value typed.
public enum ConfigurationLoader {
    /// The file name looked for upward from the working directory.
    public static let fileName = "berth.yaml"

    /// The nearest berth.yaml in `directory` or a parent, or nil.
    public static func find(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = url.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// Loads `path`; an unreadable file or bad content is a usage error naming the file.
    public static func load(path: String) throws -> BerthConfiguration {
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            throw BerthError(.usage, "can't read config '\(path)'; check the path and its permissions, or pass --config FILE")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses YAML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> BerthConfiguration {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw BerthError(.usage, "\(file): not valid YAML: \(describe(error)); fix the syntax")
        }
        var config = BerthConfiguration()
        guard let root else { return config }
        let top = try ConfigNode(node: root, file: file, path: "").mapping(known: [
            "version", "image", "environments", "labels", "go", "git", "build", "gates", "ledger", "retention", "deploy",
            "canary", "server", "sign",
        ])
        if let version = top["version"] { try readVersion(version, into: &config) }
        if let image = top["image"] { try readImage(image, into: &config) }
        if let environments = top["environments"] { config.environments = try readEnvironments(environments) }
        if let labels = top["labels"] { config.project = try readLabels(labels) }
        if let go = top["go"] { try readGo(go, into: &config) }
        if let build = top["build"] { config.build = try readBuild(build) }
        if let gates = top["gates"] { config.gates = try readGates(gates) }
        if let ledger = top["ledger"] { config.ledger = try ledger.string() }
        if let retention = top["retention"] { config.retention = try readRetention(retention) }
        if let deploy = top["deploy"] { try readDeploy(deploy, into: &config) }
        if let sign = top["sign"] { config.signing = try readSigning(sign) }
        if let canary = top["canary"] { config.canary = try readCanary(canary, environments: config.environments) }
        if let server = top["server"] { try readServer(server, into: &config) }
        if let git = top["git"] {
            let entries = try git.mapping(known: ["remote"])
            if let remote = entries["remote"] { config.remote = try remote.string() }
        }
        return config
    }

    static func describe(_ error: YamlError) -> String {
        let text = "\(error)".replacingOccurrences(of: "\n", with: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    static func readVersion(_ node: ConfigNode, into config: inout BerthConfiguration) throws {
        let entries = try node.mapping(known: [
            "preset", "tag_prefix", "initial", "path", "bumps", "breaking_below_1", "default_branch", "channels",
            "prerelease_line", "deepen",
        ])
        // The preset first: every other key overrides it.
        if let preset = entries["preset"] {
            config.version = try preset.choice(VersionPreset.self, VersionPreset.allCases).applied(to: config.version)
        }
        if let prefix = entries["tag_prefix"] { config.version.tagPrefix = try prefix.string() }
        if let deepen = entries["deepen"] { config.version.deepen = try deepen.bool() }
        if let line = entries["prerelease_line"] {
            config.version.prereleaseLine = try line.choice(PrereleaseLine.self, PrereleaseLine.allCases)
        }
        if let initial = entries["initial"] {
            let text = try initial.string()
            guard let version = SemanticVersion(text) else {
                throw initial.fail("'\(initial.path)' must be a SemVer version such as 0.1.0, found '\(text)'")
            }
            config.version.initialVersion = version
        }
        if let path = entries["path"] {
            let text = try path.string()
            if let problem = versionPathProblem(text) { throw path.fail("'\(path.path)': '\(text)' \(problem)") }
            config.version.path = text
        }
        if let bumps = entries["bumps"] { config.version.bumps = config.version.bumps.merging(try readBumps(bumps)) }
        if let below = entries["breaking_below_1"] {
            config.version.breakingBumpBelowOne = try below.choice(VersionBump.self, [.major, .minor])
        }
        if let branch = entries["default_branch"] { config.defaultBranch = try branch.string() }
        if let channels = entries["channels"] {
            config.version.channels = try channels.sequence().map { item in
                let fields = try item.mapping(known: ["branch", "prerelease"])
                guard let branch = fields["branch"] else { throw item.fail("'\(item.path)' needs a 'branch' glob") }
                let preid = try fields["prerelease"].map { try $0.string() }
                if let preid, !SemanticVersion.isValidPreid(preid) {
                    throw fields["prerelease"]!.fail(
                        "'\(preid)' is not a valid pre-release id (letters, digits, '-', dot-separated)")
                }
                return ChannelRule(branch: try branch.string(), prerelease: preid)
            }
        }
    }

    /// `version.bumps`: `TYPE` or `TYPE(SCOPE)` (a scope glob; `*(SCOPE)` for any type) → major, minor, patch or none.
    static func readBumps(_ node: ConfigNode) throws -> BumpTable {
        var rules: [BumpRule] = []
        var seen: [String: String] = [:]
        for (key, value) in try node.freeMapping() {
            let text = try value.string()
            let bump: VersionBump?
            if text == "none" {
                bump = nil
            } else if let parsed = VersionBump(rawValue: text) {
                bump = parsed
            } else {
                throw value.fail("'\(value.path)' must be major, minor, patch or none, found '\(text)'")
            }
            guard let rule = BumpRule(key: key, bump: bump) else {
                throw value.fail(
                    "'\(value.path)': '\(key)' is not a rule: write a type (feat), a type and scope (build(deps), docs(readme*)) or *(SCOPE) for any type"
                )
            }
            if let first = seen[rule.key] {
                throw value.fail("'\(value.path)': '\(key)' and '\(first)' are the same rule: keep one")
            }
            seen[rule.key] = key
            rules.append(rule)
        }
        return BumpTable(rules)
    }

    static func readImage(_ node: ConfigNode, into config: inout BerthConfiguration) throws {
        let entries = try node.mapping(known: ["names", "tag_prefix", "build_metadata", "templates", "metadata_action"])
        if let names = entries["names"] { config.images = try names.strings() }
        if let prefix = entries["tag_prefix"] { config.tags.prefix = try prefix.string() }
        if let mapping = entries["build_metadata"] {
            config.tags.buildMetadata = try mapping.choice(BuildMetadataMapping.self, BuildMetadataMapping.allCases)
        }
        if let templates = entries["templates"] {
            let fields = try templates.mapping(known: ["release", "prerelease", "branch", "channels"])
            if let release = fields["release"] { config.tags.templates.release = try release.strings() }
            if let prerelease = fields["prerelease"] { config.tags.templates.prerelease = try prerelease.strings() }
            if let branch = fields["branch"] { config.tags.templates.branch = try branch.strings() }
            if let channels = fields["channels"] {
                for (id, list) in try channels.freeMapping() { config.tags.channelTemplates[id] = try list.strings() }
            }
        }
        if let action = entries["metadata_action"] {
            let fields = try action.mapping(known: ["tags", "flavor", "labels", "annotations"])
            if let tags = fields["tags"] { config.metadataTags = try tags.lines() }
            if let flavor = fields["flavor"] { config.metadataFlavor = try flavor.lines() }
            if let labels = fields["labels"] { config.metadataLabels = try labels.lines() }
            if let annotations = fields["annotations"] { config.metadataAnnotations = try annotations.lines() }
        }
    }

    static func readEnvironments(_ node: ConfigNode) throws -> [EnvironmentPolicy] {
        let items = try node.sequence()
        // An empty list would leave --env, promote and rollback nothing to name; leaving the key out keeps the defaults.
        guard !items.isEmpty else {
            throw node.fail(
                "'\(node.path)' is an empty list: name at least one environment, or leave the key out for dev, staging and prod")
        }
        var seen: [String: String] = [:]
        return try items.map { item in
            let fields = try item.mapping(known: ["name", "pattern", "require_final", "tags", "verify"])
            guard let name = fields["name"] else { throw item.fail("'\(item.path)' needs a 'name'") }
            let text = try name.string()
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw name.fail("'\(name.path)' is empty: give the environment a name such as prod")
            }
            if let first = seen[text] {
                throw name.fail(
                    "environment '\(text)' is defined twice (\(first) and \(item.path)): give each environment its own name")
            }
            seen[text] = item.path
            var policy = EnvironmentPolicy(name: text)
            if let pattern = fields["pattern"] {
                let text = try pattern.string()
                guard (try? NSRegularExpression(pattern: text)) != nil else {
                    throw pattern.fail("'\(pattern.path)' is not a valid regular expression: \(text)")
                }
                policy.pattern = text
            }
            if let final = fields["require_final"] {
                policy.requireFinal = try final.bool()
                policy = EnvironmentPolicy(name: policy.name, pattern: policy.pattern, requireFinal: policy.requireFinal)
            }
            if let tags = fields["tags"] { policy.tags = try tags.strings() }
            if let verify = fields["verify"] { (policy.verifyKeys, policy.verifyAttestations) = try readVerify(verify) }
            return policy
        }
    }

    /// `verify: {keys: [FILE, …], require: [NAME|URI, …], source_repository: URL|[URL, …], source_ref: REF|[REF, …]}`:
    /// the public keys one of which must have signed what is promoted here, and the attestations by them
    /// it must carry (the names and rules of `berth verify --require --source-repository --source-ref`).
    static func readVerify(_ node: ConfigNode) throws -> ([String], AttestationPolicy) {
        let fields = try node.mapping(known: ["keys", "require", "source_repository", "source_ref"])
        guard let keys = fields["keys"] else {
            throw node.fail("'\(node.path)' needs 'keys': the public key files (berth key generate writes one) to trust")
        }
        let paths = try keys.strings()
        guard !paths.isEmpty, paths.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw keys.fail(
                "'\(keys.path)' must name at least one public key file, none empty; leave 'verify' out to require no signature")
        }
        var required: [String] = []
        if let require = fields["require"] {
            for item in try require.stringItems(what: "an attestation") {
                let text = try item.string()
                guard let type = Attestation.predicateType(named: text) else {
                    throw item.fail(
                        "'\(item.path)': unknown attestation '\(text)': use provenance, sbom, vulnerabilities or a predicate type URI"
                    )
                }
                if !required.contains(type) { required.append(type) }
            }
        }
        let repositories = try fields["source_repository"].map { try $0.stringItems(what: "a repository URL") } ?? []
        let refs = try fields["source_ref"].map { try $0.stringItems(what: "a ref such as refs/heads/main") } ?? []
        for ref in refs {
            let text = try ref.string()
            guard text.hasPrefix("refs/") else {
                throw ref.fail(
                    "'\(ref.path)': '\(text)' is not a full ref; write refs/heads/\(text) or refs/tags/\(text) (a trailing * matches a prefix)"
                )
            }
        }
        let policy = AttestationPolicy(
            required: required, repositories: try repositories.map { try $0.string() }, refs: try refs.map { try $0.string() })
        return (paths, policy)
    }

    static func readLabels(_ node: ConfigNode) throws -> ProjectInfo {
        let fields = try node.mapping(known: [
            "title", "description", "url", "source", "documentation", "authors", "vendor", "licenses",
        ])
        func value(_ key: String) throws -> String? {
            guard let field = fields[key] else { return nil }
            let text = try field.string()
            // Labels reach CI one per line (`--format github`'s labels and annotations, docker-args): a line
            // break inside a value would split it into a second, forged label.
            if let bad = text.unicodeScalars.first(where: isControl) {
                throw field.fail(
                    "label '\(field.path)' holds the control character U+\(hex(bad)) (a line break splits CI output lines); write the value on one line (a folded '>-' block joins lines)"
                )
            }
            return text
        }
        return ProjectInfo(
            title: try value("title"), description: try value("description"), url: try value("url"),
            source: try value("source"), documentation: try value("documentation"), authors: try value("authors"),
            vendor: try value("vendor"), licenses: try value("licenses"))
    }

    /// Newlines, tabs and other C0/C1 controls, and the Unicode line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Why `path` can't be `version.path` (absolute, or `..` leading out of the repository) as a clause
    /// to follow the quoted path, or nil when it stays inside the repository. Shared with `--path`.
    public static func versionPathProblem(_ path: String) -> String? {
        repositoryPathProblem(path, example: "services/api")
    }

    /// Why `path` can't name a place in the repository (absolute, or `..` leading out of it), or nil.
    static func repositoryPathProblem(_ path: String, example: String) -> String? {
        if path.hasPrefix("/") || path.hasPrefix("\\") {
            return "is an absolute path; give a path relative to the repository root, such as \(example)"
        }
        var depth = 0
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": depth -= 1
            default: depth += 1
            }
            if depth < 0 {
                return "leads out of the repository; give a path inside it, relative to its root, such as \(example)"
            }
        }
        return nil
    }

    static func readGo(_ node: ConfigNode, into config: inout BerthConfiguration) throws {
        let fields = try node.mapping(known: ["package", "version_var", "commit_var", "date_var", "strip"])
        if let package = fields["package"] { config.ldflags.package = try package.string() }
        if let name = fields["version_var"] { config.ldflags.versionVariable = try name.string() }
        if let name = fields["commit_var"] { config.ldflags.commitVariable = try name.string() }
        if let name = fields["date_var"] { config.ldflags.dateVariable = try name.string() }
        if let strip = fields["strip"] { config.ldflags.strip = try strip.bool() }
    }

    static func readBuild(_ node: ConfigNode) throws -> BuildSettings {
        let fields = try node.mapping(known: [
            "main", "binary", "platforms", "base", "user", "ports", "env", "data", "compression", "go_command", "sbom",
            "dockerfile",
        ])
        var settings = BuildSettings()
        if let main = fields["main"] { settings.main = try main.string() }
        if let binary = fields["binary"] {
            let name = try binary.string()
            guard !name.isEmpty, !name.contains("/") else {
                throw binary.fail("'\(binary.path)' must be a file name without '/'")
            }
            settings.binary = name
        }
        if let platforms = fields["platforms"] {
            settings.platforms = try platforms.sequence().map { item in
                let text = try item.string()
                do { _ = try BuildPlatform(parsing: text) } catch let error as BerthError {
                    throw item.fail("'\(item.path)': \(error.message)")
                }
                return text
            }
        }
        if let base = fields["base"] { settings.base = try base.string() }
        if let user = fields["user"] { settings.user = try user.string() }
        if let ports = fields["ports"] { settings.ports = try ports.strings() }
        if let env = fields["env"] {
            for (name, value) in try env.freeMapping() { settings.env[name] = try value.string() }
        }
        if let data = fields["data"] { settings.data = try data.string() }
        if let compression = fields["compression"] {
            settings.compression = try compression.choice(BuildSettings.Compression.self, BuildSettings.Compression.allCases)
        }
        if let command = fields["go_command"] {
            settings.goCommand = try command.strings()
            if settings.goCommand.isEmpty { throw command.fail("'\(command.path)' needs a command, e.g. [go]") }
        }
        if let sbom = fields["sbom"] { settings.sbom = try sbom.bool() }
        if let dockerfile = fields["dockerfile"] { settings.dockerfile = try dockerfile.string() }
        return settings
    }

    static func readGates(_ node: ConfigNode) throws -> GatePolicy {
        let fields = try node.mapping(known: [
            "critical", "high", "medium", "low", "unknown", "max_report_age_days", "count_secrets", "ignore",
        ])
        var policy = GatePolicy()
        for severity in Severity.allCases {
            guard let field = fields[severity.description] else { continue }
            let text = try field.string().trimmingCharacters(in: .whitespaces)
            let words = text.split(separator: " ")
            switch (words.first.map(String.init), words.count) {
            case ("block", 1): policy.rules[severity] = .block
            case ("warn", 1): policy.rules[severity] = .warn
            case ("ignore", 1): policy.rules[severity] = .ignore
            case ("approve", 1): policy.rules[severity] = .approve(upTo: .max)
            case ("approve", 2) where Int(words[1]).map { $0 >= 0 } == true:
                policy.rules[severity] = .approve(upTo: Int(words[1])!)
            default:
                throw field.fail(
                    "'\(field.path)' is '\(text)': use block, warn, ignore, approve, or 'approve N' (N with approval, more block)"
                )
            }
        }
        if let age = fields["max_report_age_days"] {
            guard let days = Int(try age.string()), days > 0 else {
                throw age.fail("'\(age.path)' must be a number of days above 0")
            }
            policy.maxReportAgeDays = days
        }
        if let secrets = fields["count_secrets"] { policy.countSecrets = try secrets.bool() }
        if let ignore = fields["ignore"] {
            policy.exceptions = try ignore.sequence().map { item in
                let entry = try item.mapping(known: ["id", "until", "reason"])
                guard let id = entry["id"], let until = entry["until"], let reason = entry["reason"] else {
                    throw item.fail(
                        "'\(item.path)' needs id, until (YYYY-MM-DD) and reason: an exception without an end or a why is not allowed"
                    )
                }
                let exception = GatePolicy.Exception(id: try id.string(), until: try until.string(), reason: try reason.string())
                // RFC3339.seconds refuses days that don't exist (2024-02-30, month 13), so only real dates pass.
                guard exception.expiry != nil else {
                    throw until.fail(
                        "'\(until.path)' is '\(exception.until)', not a date: write YYYY-MM-DD for a day that exists, such as 2024-02-29"
                    )
                }
                return exception
            }
        }
        return policy
    }

    static func readRetention(_ node: ConfigNode) throws -> RetentionPolicy {
        let fields = try node.mapping(known: ["keep", "keep_tags", "keep_days", "keep_promotions"])
        var policy = RetentionPolicy()
        func count(_ key: String) throws -> Int? {
            guard let field = fields[key] else { return nil }
            guard let value = Int(try field.string()), value >= 0 else {
                throw field.fail("'\(field.path)' must be a whole number, 0 or more")
            }
            return value
        }
        if let keep = try count("keep") { policy.keepReleases = keep }
        if let days = try count("keep_days") { policy.keepDays = days }
        if let promotions = try count("keep_promotions") { policy.keepPromotions = promotions }
        if let tags = fields["keep_tags"] {
            policy.keepPatterns = try tags.sequence().map { item in
                let pattern = try item.string()
                guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                    throw item.fail("'\(item.path)' is not a valid regular expression: \(pattern)")
                }
                return pattern
            }
        }
        return policy
    }

    static func readDeploy(_ node: ConfigNode, into config: inout BerthConfiguration) throws {
        for (name, entry) in try node.freeMapping() {
            if name == "commit" {
                config.deployCommit = try entry.bool()
                continue
            }
            let fields = try entry.mapping(known: [
                "kustomization", "deployment", "helm_values", "helm_key", "kubectl_context", "namespace", "kubectl_deployment",
                "container",
                "health_url", "health_timeout",
            ])
            var settings = DeploySettings()
            func text(_ key: String) throws -> String? { try fields[key].map { try $0.string() } }
            /// A file berth rewrites: inside the repository, like `version.path`.
            func file(_ key: String) throws -> String? {
                guard let value = try text(key) else { return nil }
                if let problem = repositoryPathProblem(value, example: "deploy/prod/kustomization.yaml") {
                    throw fields[key]!.fail("'\(fields[key]!.path)': '\(value)' \(problem)")
                }
                return value
            }
            /// A Kubernetes object name, so it can never be read as one of kubectl's options.
            func kubernetesName(_ key: String, subdomain: Bool) throws -> String? {
                guard let value = try text(key) else { return nil }
                guard KubernetesName.isValid(value, subdomain: subdomain) else {
                    throw fields[key]!.fail(
                        "'\(fields[key]!.path)' must be a Kubernetes name (lower-case letters, digits and '-'\(subdomain ? ", '.'" : ""), starting and ending with a letter or digit, at most \(subdomain ? 253 : 63)), not '\(value)'"
                    )
                }
                return value
            }
            settings.kustomization = try file("kustomization")
            settings.deployment = try file("deployment")
            settings.helmValues = try file("helm_values")
            if let key = try text("helm_key") { settings.helmKey = key }
            if let context = try text("kubectl_context") {
                guard !context.isEmpty, !context.hasPrefix("-"),
                    !context.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                else {
                    throw fields["kubectl_context"]!.fail(
                        "'\(fields["kubectl_context"]!.path)' must be a kubeconfig context name (not empty, no leading '-', no control characters)"
                    )
                }
                settings.kubectlContext = context
            }
            settings.kubectlNamespace = try kubernetesName("namespace", subdomain: false)
            settings.kubectlDeployment = try kubernetesName("kubectl_deployment", subdomain: true)
            settings.kubectlContainer = try kubernetesName("container", subdomain: false)
            settings.healthURL = try text("health_url")
            if let timeout = fields["health_timeout"] {
                guard let seconds = Int(try timeout.string()), seconds > 0 else {
                    throw timeout.fail("'\(timeout.path)' must be seconds above 0")
                }
                settings.healthTimeoutSeconds = seconds
            }
            config.deploy[name] = settings
        }
    }
}
