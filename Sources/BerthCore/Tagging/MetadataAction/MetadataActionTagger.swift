import Foundation

/// The version docker/metadata-action computes: a main tag, partial tags, and whether `latest` is added.
public struct MetadataActionVersion: Sendable, Equatable {
    /// The action's `version` output.
    public var main: String?
    public var partial: [String] = []
    public var latest = false
}

/// Computes image tags exactly as docker/metadata-action (v5) does from its `tags:` and `flavor:` inputs,
/// so a team can move its workflow to berth without touching its configuration.
///
/// Rules run in descending priority (stable); the first value becomes the main version, later distinct
/// values partial tags; `latest` follows the first rule that decides it (semver/pep440 finals, match,
/// ref event=tag) unless the flavor forces it. Values are sanitised to `[A-Za-z0-9._-]`.
public struct MetadataActionTagger: Sendable {
    public let rules: [MetadataTagRule]
    public let flavor: MetadataFlavor
    public let context: MetadataActionContext

    public init(rules: [MetadataTagRule], flavor: MetadataFlavor, context: MetadataActionContext) {
        self.rules = rules.isEmpty ? MetadataTagRule.defaults : rules
        self.flavor = flavor
        self.context = context
    }

    /// The version: main, partials and latest.
    public func version() throws(BerthError) -> MetadataActionVersion {
        var version = MetadataActionVersion()
        var latest: Bool?
        let ordered = rules.enumerated().sorted { a, b in
            a.element.priority == b.element.priority ? a.offset < b.offset : a.element.priority > b.element.priority
        }.map(\.element)
        for rule in ordered {
            let enable = try globalExpression(rule.attributes["enable"] ?? "true", rule: rule)
            guard enable == "true" || enable == "false" else {
                throw BerthError(.usage, "tag rule '\(rule.line)': enable must be true or false, got '\(enable)'")
            }
            guard enable == "true", let (value, ruleLatest) = try process(rule) else { continue }
            if version.main == nil {
                version.main = value
            } else if value != version.main {
                version.partial.append(value)
            }
            if latest == nil, let ruleLatest { latest = ruleLatest }
        }
        switch flavor.latest {
        case .auto: version.latest = latest ?? false
        case .true: version.latest = true
        case .false: version.latest = false
        }
        version.main = version.main.map(Self.sanitize)
        var seen = Set<String>()
        version.partial = version.partial.map(Self.sanitize).filter { $0 != version.main && seen.insert($0).inserted }
        return version
    }

    /// The full tag list: for each image, main, partials, then `latest`; bare tags without images.
    public func tags(images: [String]) throws(BerthError) -> [String] {
        let version = try version()
        guard let main = version.main else { return [] }
        var tags = [main] + version.partial
        if version.latest {
            let latest = (flavor.prefixOnLatest ? flavor.prefix : "") + "latest" + (flavor.suffixOnLatest ? flavor.suffix : "")
            tags.append(Self.sanitize(latest))
        }
        var seen = Set<String>()
        tags = tags.filter { seen.insert($0).inserted }
        guard !images.isEmpty else { return tags }
        return images.flatMap { image in tags.map { "\(image):\($0)" } }
    }

    /// One rule's value and its say on `latest` (nil: no say), or nil when the rule doesn't apply.
    func process(_ rule: MetadataTagRule) throws(BerthError) -> (String, Bool?)? {
        let attrs = rule.attributes
        switch rule.kind {
        case .schedule:
            guard context.eventName == "schedule" else { return nil }
            return (try apply(try render(rule["pattern"], rule: rule, values: [:]), rule), nil)
        case .semver, .pep440:
            return try processVersion(rule)
        case .match:
            guard let raw = try tagOrValue(rule) else { return nil }
            guard let groups = try regexMatch(rule["pattern"], in: raw, rule: rule) else { return nil }
            let index = rule.group
            // A negative group (`group=-1`, which the action accepts) names no group, like one past the end.
            guard groups.indices.contains(index), let group = groups[index] else { return nil }
            return (try apply(group, rule), true)
        case .edge:
            guard let branch = context.ref.dropPrefix("refs/heads/") else { return nil }
            let wanted = rule["branch"].isEmpty ? context.defaultBranch : rule["branch"]
            guard branch == wanted else { return nil }
            return (try apply("edge", rule), nil)
        case .ref:
            switch rule["event"] {
            case "branch":
                guard let branch = context.ref.dropPrefix("refs/heads/") else { return nil }
                return (try apply(Self.sanitize(branch), rule), nil)
            case "tag":
                guard let tag = context.ref.dropPrefix("refs/tags/") else { return nil }
                return (try apply(tag.replacingOccurrences(of: "/", with: "-"), rule), true)
            default:
                guard let pull = context.ref.dropPrefix("refs/pull/") else { return nil }
                let number = pull.hasSuffix("/merge") ? String(pull.dropLast("/merge".count)) : pull
                return (try apply(number, rule), nil)
            }
        case .raw:
            return (try apply(try globalExpression(rule["value"], rule: rule), rule), nil)
        case .sha:
            guard !context.sha.isEmpty else { return nil }
            let sha = attrs["format"] == "long" ? context.sha : String(context.sha.prefix(context.shortSHALength))
            return (try apply(sha, rule), nil)
        }
    }

    /// `type=semver` and `type=pep440`: the tag (or `value`), narrowed by `match`, through `pattern`;
    /// a pre-release renders `{{version}}` unless the pattern is exactly `{{raw}}`, and never makes `latest`.
    func processVersion(_ rule: MetadataTagRule) throws(BerthError) -> (String, Bool?)? {
        guard var raw = try tagOrValue(rule) else { return nil }
        if !rule["match"].isEmpty, let groups = try regexMatch(rule["match"], in: raw, rule: rule),
            let last = groups.last ?? nil
        {
            raw = last
        }
        let pattern = rule["pattern"]
        let isRaw = TemplateRenderer.isSingleExpression(pattern, named: "raw")
        if rule.kind == .semver {
            let text = raw.hasPrefix("v") ? String(raw.dropFirst()) : raw
            guard let version = SemanticVersion(text) else { return nil }
            let plain = version.withoutBuild.description
            if version.isPrerelease {
                return (try apply(isRaw ? raw : plain, rule), false)
            }
            let values = [
                "raw": raw, "version": plain, "major": version.major.description, "minor": version.minor.description,
                "patch": version.patch.description,
            ]
            return (try apply(try render(pattern, rule: rule, values: values), rule), true)
        }
        guard let version = PEP440Version(raw) else { return nil }
        if version.isPrerelease {
            return (try apply(isRaw ? raw : version.description, rule), false)
        }
        let values = [
            "raw": raw, "version": version.description, "major": version.major, "minor": version.minor, "patch": version.patch,
        ]
        return (try apply(try render(pattern, rule: rule, values: values), rule), true)
    }

    /// The `value` attribute when set, else the pushed tag with `/` as `-`; nil outside tag events.
    func tagOrValue(_ rule: MetadataTagRule) throws(BerthError) -> String? {
        if let value = rule.attributes["value"], !value.isEmpty { return try globalExpression(value, rule: rule) }
        return context.ref.dropPrefix("refs/tags/")?.replacingOccurrences(of: "/", with: "-")
    }

    /// The rule's prefix and suffix, else the flavor's (the action's setValue).
    func apply(_ value: String, _ rule: MetadataTagRule) throws(BerthError) -> String {
        let prefix = rule.attributes["prefix"] ?? flavor.prefix
        let suffix = rule.attributes["suffix"] ?? flavor.suffix
        return try globalExpression(prefix, rule: rule) + value + globalExpression(suffix, rule: rule)
    }

    /// Renders the global expressions (`{{branch}}`, `{{tag}}`, `{{sha}}`, `{{base_ref}}`,
    /// `{{is_default_branch}}`, `{{date 'fmt' tz='Zone'}}`, `{{commit_date 'fmt'}}`).
    func globalExpression(_ text: String, rule: MetadataTagRule) throws(BerthError) -> String {
        try render(text, rule: rule, values: [:])
    }

    func render(_ text: String, rule: MetadataTagRule, values: [String: String]) throws(BerthError) -> String {
        let context = self.context
        do {
            return try TemplateRenderer.render(text) { expression throws(TemplateError) -> String? in
                if let value = values[expression.name], expression.arguments.isEmpty { return value }
                switch expression.name {
                case "branch": return context.ref.dropPrefix("refs/heads/") ?? ""
                case "tag": return context.ref.dropPrefix("refs/tags/") ?? ""
                case "sha": return String(context.sha.prefix(context.shortSHALength))
                case "base_ref":
                    if context.ref.hasPrefix("refs/tags/"), let base = context.payload?.pushBaseRef {
                        return base.dropPrefix("refs/heads/") ?? base
                    }
                    if context.ref.hasPrefix("refs/pull/"), let base = context.payload?.baseRef { return base }
                    return ""
                case "is_default_branch":
                    let branch = context.ref.dropPrefix("refs/heads/") ?? context.ref
                    return branch == context.defaultBranch ? "true" : "false"
                case "date", "commit_date":
                    guard let format = expression.arguments.first else {
                        throw TemplateError(template: text, reason: "{{\(expression.name)}} needs a format such as 'YYYYMMDD'")
                    }
                    let seconds = expression.name == "date" ? context.now : context.commitTime
                    return try DateFormat.format(seconds: seconds, format, timeZone: expression.options["tz"] ?? "UTC")
                default:
                    return nil
                }
            }
        } catch {
            throw BerthError(.usage, "tag rule '\(rule.line)': \(error.reason)")
        }
    }

    /// Matches `pattern` (`/re/flags` or a bare regex) against `text`: the groups, nil when no match.
    func regexMatch(_ pattern: String, in text: String, rule: MetadataTagRule) throws(BerthError) -> [String?]? {
        var source = pattern
        var options: NSRegularExpression.Options = []
        if pattern.count > 2, pattern.hasPrefix("/"), let close = pattern.lastIndex(of: "/"), close != pattern.startIndex {
            source = String(pattern[pattern.index(after: pattern.startIndex)..<close])
            let flags = pattern[pattern.index(after: close)...]
            if flags.contains("i") { options.insert(.caseInsensitive) }
            if flags.contains("m") { options.insert(.anchorsMatchLines) }
            if flags.contains("s") { options.insert(.dotMatchesLineSeparators) }
        }
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: source, options: options) } catch {
            throw BerthError(.usage, "tag rule '\(rule.line)': '\(pattern)' is not a valid regular expression")
        }
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (0..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
    }

    /// The action's sanitizeTag: every run of characters outside `[a-zA-Z0-9._-]` becomes `-`.
    public static func sanitize(_ tag: String) -> String {
        var out = ""
        var inRun = false
        for ch in tag {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ch == "." || ch == "_" || ch == "-") {
                out.append(ch)
                inRun = false
            } else if !inRun {
                out.append("-")
                inRun = true
            }
        }
        return out
    }
}
