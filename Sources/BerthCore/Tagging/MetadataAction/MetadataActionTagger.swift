import Foundation

/// The version docker/metadata-action computes: a main tag, partial tags, and whether `latest` is added.
public struct MetadataActionVersion: Sendable, Equatable {
    /// The action's `version` output.
    public var main: String?
    public var partial: [String] = []
    public var latest = false

    public init(main: String? = nil, partial: [String] = [], latest: Bool = false) {
        self.main = main
        self.partial = partial
        self.latest = latest
    }
}

/// Computes image tags as docker/metadata-action (v5) does from its `tags:` and `flavor:` inputs, so a
/// team can move its workflow to berth without touching its configuration.
///
/// Rules run in descending priority (stable). Each rule that applies gives a value; an empty value is
/// dropped. The first value becomes the main version, later distinct values partial tags, and the first
/// value also decides `latest` under `flavor: latest=auto` (true for a final `semver`/`pep440`, a `match`
/// and a `ref,event=tag`; false for everything else, so a higher-priority `raw` or `sha` rule settles it as
/// false). Values are sanitised as the action does: every run of characters outside `[A-Za-z0-9._-]` is
/// one `-`. Beyond that, berth makes each value a valid OCI tag (separators at the start removed, at most
/// 128 characters) unless `exact` asks for the action's output byte for byte.
public struct MetadataActionTagger: Sendable {
    public let rules: [MetadataTagRule]
    public let flavor: MetadataFlavor
    public let context: MetadataActionContext
    /// The action's output byte for byte: no OCI repair of tags, duplicate `latest` kept.
    public var exact = false

    public init(rules: [MetadataTagRule], flavor: MetadataFlavor, context: MetadataActionContext, exact: Bool = false) {
        self.rules = rules.isEmpty ? MetadataTagRule.defaults : rules
        self.flavor = flavor
        self.context = context
        self.exact = exact
    }

    /// The version: main, partials and latest.
    public func version() throws(BerthError) -> MetadataActionVersion {
        var version = MetadataActionVersion()
        var latest: Bool?
        let ordered = rules.enumerated().sorted { a, b in
            a.element.priority == b.element.priority ? a.offset < b.offset : a.element.priority > b.element.priority
        }.map(\.element)
        for rule in ordered {
            let enable = try globalExpression(rule["enable"], rule: rule)
            guard enable == "true" || enable == "false" else {
                throw BerthError(.usage, "tag rule '\(rule.line)': enable must render true or false, got '\(enable)'")
            }
            guard enable == "true", let (raw, autoLatest) = try process(rule), let value = fit(raw) else { continue }
            if version.main == nil {
                version.main = value
            } else if value != version.main, !version.partial.contains(value) {
                version.partial.append(value)
            }
            if latest == nil {
                switch flavor.latest {
                case .auto: latest = autoLatest
                case .true: latest = true
                case .false: latest = false
                }
            }
        }
        version.latest = latest ?? false
        return version
    }

    /// The tags without image names: main, partials, then `latest`.
    public func tagNames() throws(BerthError) -> [String] {
        try tagNames(for: try version())
    }

    /// The tags of `version` without image names.
    public func tagNames(for version: MetadataActionVersion) -> [String] {
        guard let main = version.main else { return [] }
        var tags = [main] + version.partial
        if version.latest {
            let latest = (flavor.prefixOnLatest ? flavor.prefix : "") + "latest" + (flavor.suffixOnLatest ? flavor.suffix : "")
            tags.append(Self.sanitize(latest))
        }
        guard !exact else { return tags }
        // A raw `latest` rule and the latest flavor give one tag, not the same tag twice.
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }

    /// The full tag list: for each image, main, partials, then `latest`; bare tags without images.
    public func tags(images: [String]) throws(BerthError) -> [String] {
        let names = try tagNames()
        guard !images.isEmpty else { return names }
        return images.flatMap { image in names.map { "\(image):\($0)" } }
    }

    /// A value as a tag: the action's sanitising, then (unless `exact`) the OCI grammar's first character and
    /// length; nil when nothing is left.
    func fit(_ value: String) -> String? {
        guard !value.isEmpty else { return nil }
        var tag = Self.sanitize(value)
        if !exact {
            tag = String(tag.drop { $0 == "-" || $0 == "." }.prefix(128))
        }
        return tag.isEmpty ? nil : tag
    }

    /// One rule's value and its `latest` under `latest=auto`, or nil when the rule doesn't apply.
    func process(_ rule: MetadataTagRule) throws(BerthError) -> (String, Bool)? {
        switch rule.kind {
        case .schedule:
            guard context.eventName.contains("schedule") else { return nil }
            let value = try render(rule["pattern"], rule: rule, scope: .dates)
            return (try apply(value, rule), false)
        case .semver, .pep440:
            return try processVersion(rule)
        case .match:
            guard let raw = try tagOrValue(rule) else { return nil }
            let groups = try regexMatch(rule["pattern"], in: raw, rule: rule)
            // The action indexes the match with the attribute as written: a group the pattern lacks (or `-1`)
            // gives no tag.
            guard let groups, let index = Int(rule["group"]), groups.indices.contains(index), let group = groups[index] else {
                return nil
            }
            return (try apply(group, rule), true)
        case .edge:
            guard let branch = context.ref.dropPrefix("refs/heads/") else { return nil }
            let wanted = rule["branch"].isEmpty ? context.defaultBranch : rule["branch"]
            guard branch == wanted else { return nil }
            return (try apply("edge", rule), false)
        case .ref:
            switch rule["event"] {
            case "branch":
                guard let branch = context.ref.dropPrefix("refs/heads/") else { return nil }
                return (try apply(branch, rule), false)
            case "tag":
                guard let tag = context.ref.dropPrefix("refs/tags/") else { return nil }
                return (try apply(tag, rule), true)
            default:
                guard let pull = context.ref.dropPrefix("refs/pull/") else { return nil }
                let number = pull.hasSuffix("/merge") ? String(pull.dropLast("/merge".count)) : pull
                return (try apply(number, rule), false)
            }
        case .raw:
            return (try apply(try globalExpression(rule["value"], rule: rule), rule), false)
        case .sha:
            guard !context.sha.isEmpty else { return nil }
            let sha = rule["format"] == "long" ? context.sha : shortSHA
            return (try apply(sha, rule), false)
        }
    }

    /// `type=semver` and `type=pep440`: the tag (or `value`), narrowed to `match`'s first group, `/` as `-`,
    /// through `pattern`; a pre-release (and for PEP 440 a post- or dev release) renders `{{version}}`
    /// unless the pattern is exactly `{{raw}}`, and doesn't make `latest`.
    func processVersion(_ rule: MetadataTagRule) throws(BerthError) -> (String, Bool)? {
        guard var raw = try tagOrValue(rule) else { return nil }
        if !rule["match"].isEmpty, let groups = try regexMatch(rule["match"], in: raw, rule: rule) {
            guard groups.count > 1, let first = groups[1] else { return nil }
            raw = first
        }
        raw = raw.replacingOccurrences(of: "/", with: "-")
        let pattern = rule["pattern"]
        let isRaw = TemplateRenderer.isSingleExpression(pattern, named: "raw")
        if rule.kind == .semver {
            let trimmed = raw.trimmingCharacters()
            let text = trimmed.hasPrefix("v") ? String(trimmed.dropFirst()) : trimmed
            guard let version = SemanticVersion(text) else { return nil }
            let values = [
                "raw": raw, "version": version.withoutBuild.description, "major": version.major.description,
                "minor": version.minor.description, "patch": version.patch.description,
            ]
            if version.isPrerelease {
                return (try apply(try render(isRaw ? pattern : "{{version}}", rule: rule, scope: .values(values)), rule), false)
            }
            return (try apply(try render(pattern, rule: rule, scope: .values(values)), rule), true)
        }
        guard let version = PEP440Version(raw) else { return nil }
        if version.isPrerelease || version.post != nil {
            return (try apply(isRaw ? raw : version.description, rule), false)
        }
        let values = [
            "raw": raw, "version": version.description, "major": version.major, "minor": version.minor, "patch": version.patch,
        ]
        return (try apply(try render(pattern, rule: rule, scope: .values(values)), rule), true)
    }

    /// The `value` attribute when set, else the pushed tag; nil outside tag events.
    func tagOrValue(_ rule: MetadataTagRule) throws(BerthError) -> String? {
        if !rule["value"].isEmpty { return try globalExpression(rule["value"], rule: rule) }
        return context.ref.dropPrefix("refs/tags/")
    }

    /// The rule's prefix and suffix when it sets them (even empty), else the flavor's (the action's setValue).
    func apply(_ value: String, _ rule: MetadataTagRule) throws(BerthError) -> String {
        let prefix = rule.attributes["prefix"] ?? flavor.prefix
        let suffix = rule.attributes["suffix"] ?? flavor.suffix
        return try globalExpression(prefix, rule: rule) + value + globalExpression(suffix, rule: rule)
    }

    /// `DOCKER_METADATA_SHORT_SHA_LENGTH` characters of the commit (all of it when that is longer).
    var shortSHA: String { String(context.sha.prefix(context.shortSHALength)) }

    /// Renders the global expressions (`{{branch}}`, `{{tag}}`, `{{sha}}`, `{{base_ref}}`,
    /// `{{is_default_branch}}`, `{{is_not_default_branch}}`, `{{date 'fmt' tz='Zone'}}`, `{{commit_date 'fmt'}}`).
    func globalExpression(_ text: String, rule: MetadataTagRule) throws(BerthError) -> String {
        try render(text, rule: rule, scope: .globals)
    }

    /// Renders the global expressions in `text`, a line outside any tag rule (the action's `labels:`).
    public func expression(_ text: String) throws(BerthError) -> String {
        do { return try renderGlobals(text) } catch { throw BerthError(.usage, "'\(text)': \(error.reason)") }
    }

    /// What a template may name: a schedule pattern knows only the dates, a version pattern only the
    /// version's parts, every other attribute the global expressions.
    enum Scope {
        case globals, dates
        case values([String: String])
    }

    func render(_ text: String, rule: MetadataTagRule, scope: Scope) throws(BerthError) -> String {
        do {
            switch scope {
            case .globals: return try renderGlobals(text)
            case .dates:
                return try TemplateRenderer.render(text) { expression throws(TemplateError) -> String? in
                    guard expression.name == "date" || expression.name == "commit_date" else { return nil }
                    return try date(expression, in: text)
                }
            case .values(let values):
                return try TemplateRenderer.render(text) { expression throws(TemplateError) -> String? in
                    expression.arguments.isEmpty ? values[expression.name] : nil
                }
            }
        } catch {
            throw BerthError(.usage, "tag rule '\(rule.line)': \(error.reason)")
        }
    }

    func renderGlobals(_ text: String) throws(TemplateError) -> String {
        let context = self.context
        let shortSHA = self.shortSHA
        return try TemplateRenderer.render(text) { expression throws(TemplateError) -> String? in
            switch expression.name {
            case "branch": return context.ref.dropPrefix("refs/heads/") ?? ""
            case "tag": return context.ref.dropPrefix("refs/tags/") ?? ""
            case "sha": return shortSHA
            case "base_ref":
                if context.ref.hasPrefix("refs/tags/"), let base = context.payload?.pushBaseRef {
                    return base.dropPrefix("refs/heads/") ?? base
                }
                if context.ref.hasPrefix("refs/pull/"), let base = context.payload?.pullRequestBaseRef { return base }
                return ""
            case "is_default_branch": return context.isDefaultBranch ? "true" : "false"
            case "is_not_default_branch": return context.isDefaultBranch ? "false" : "true"
            case "date", "commit_date": return try date(expression, in: text)
            default: return nil
            }
        }
    }

    /// `{{date 'FORMAT' tz='Zone'}}` and `{{commit_date …}}`: Moment's format (its default when the format is
    /// missing or an unquoted name, which Handlebars looks up and finds empty), UTC unless `tz` names a zone.
    func date(_ expression: TemplateExpression, in text: String) throws(TemplateError) -> String {
        let seconds: Double
        if expression.name == "date" {
            seconds = context.now
        } else {
            guard let commitTime = context.commitTime else {
                throw TemplateError(
                    template: text,
                    reason:
                        "{{commit_date}} needs the commit's time, which the event payload doesn't carry for '\(context.sha)' and there is no git checkout to read it from; check the repository out first (actions/checkout)"
                )
            }
            seconds = commitTime
        }
        for key in expression.options.keys where key != "tz" {
            throw TemplateError(template: text, reason: "unknown \(key) attribute of {{\(expression.name)}} (only tz='Zone')")
        }
        let zone = expression.options["tz"] ?? "UTC"
        guard let format = expression.arguments.first, !expression.unquotedArguments.contains(0) else {
            return try DateFormat.format(seconds: seconds, DateFormat.defaultFormat(timeZone: zone), timeZone: zone)
        }
        return try DateFormat.format(seconds: seconds, format, timeZone: zone)
    }

    /// Matches `pattern` against `text` as JavaScript's `String.match` does: `/re/flags` or a bare regex;
    /// the groups of the first match (nil for one that took no part), or with the `g` flag every match
    /// whole; nil when nothing matches.
    func regexMatch(_ pattern: String, in text: String, rule: MetadataTagRule) throws(BerthError) -> [String?]? {
        var source = pattern
        var options: NSRegularExpression.Options = []
        var global = false
        if pattern.count > 2, pattern.hasPrefix("/"), let close = pattern.lastIndex(of: "/"),
            close > pattern.index(after: pattern.startIndex)
        {
            source = String(pattern[pattern.index(after: pattern.startIndex)..<close])
            let flags = pattern[pattern.index(after: close)...]
            for flag in flags {
                switch flag {
                case "i": options.insert(.caseInsensitive)
                case "m": options.insert(.anchorsMatchLines)
                case "s": options.insert(.dotMatchesLineSeparators)
                case "g": global = true
                case "u", "y", "d", "v": break
                default:
                    throw BerthError(
                        .usage, "tag rule '\(rule.line)': '\(pattern)' has an unknown regular expression flag '\(flag)'")
                }
            }
        }
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: source, options: options) } catch {
            throw BerthError(.usage, "tag rule '\(rule.line)': '\(pattern)' is not a valid regular expression")
        }
        let range = NSRange(text.startIndex..., in: text)
        if global {
            let all = regex.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
            return all.isEmpty ? nil : all
        }
        guard let match = regex.firstMatch(in: text, range: range) else { return nil }
        return (0..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
    }

    /// The action's sanitizeTag: every run of characters outside `[a-zA-Z0-9._-]` becomes `-`.
    public static func sanitize(_ tag: String) -> String {
        var out = ""
        var inRun = false
        for ch in tag.unicodeScalars {
            if ch.isASCII && (ch.properties.isAlphabetic || ("0"..."9").contains(ch) || ch == "." || ch == "_" || ch == "-") {
                out.unicodeScalars.append(ch)
                inRun = false
            } else if !inRun {
                out.append("-")
                inRun = true
            }
        }
        return out
    }
}

extension MetadataActionContext {
    /// docker/metadata-action's `{{is_default_branch}}`: the pushed branch is the payload's default branch
    /// (berth's default branch when there is no payload), or the event always runs on the default branch's
    /// last commit (`create`, `discussion`, `issues`, `schedule`).
    var isDefaultBranch: Bool {
        let branch = ref.dropPrefix("refs/heads/") ?? ref
        guard !branch.isEmpty else { return false }
        let defaultBranch = payload == nil ? defaultBranch : payload?.defaultBranch
        if branch == defaultBranch { return true }
        return ["create", "discussion", "issues", "schedule"].contains { eventName.contains($0) }
    }
}
