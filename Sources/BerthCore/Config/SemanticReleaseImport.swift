import BerthOCI

/// semantic-release's configuration (`.releaserc`, `package.json#release`) read as berth's version rules.
///
/// What carries over: `tagFormat` (`v${version}`) as the tag prefix; `branches` (release, pre-release and
/// maintenance branches, semantic-release's defaults when absent) as the default branch and channels;
/// commit-analyzer's `releaseRules` (`type`, `scope`, `revert`, `release`) as scoped `version.bumps` over
/// the `semantic-release` preset. Options set at the top level reach the analyzer as they do in
/// semantic-release; the plugin's own options override them.
public enum SemanticReleaseImport {
    static let analyzer = "@semantic-release/commit-analyzer"
    /// semantic-release's default maintenance-branch pattern (micromatch extglob).
    static let defaultMaintenance = "+([0-9])?(.{+([0-9]),x}).x"
    static let defaultBranches: JSONValue = .array([
        .string(defaultMaintenance), .string("master"), .string("main"), .string("next"), .string("next-major"),
        .object(["name": .string("beta"), "prerelease": .bool(true)]),
        .object(["name": .string("alpha"), "prerelease": .bool(true)]),
    ])
    static let analyzerOptions: Set<String> = ["preset", "config", "parserOpts", "presetConfig", "releaseRules"]
    /// Run-time options with no bearing on the rules.
    static let runOptions: Set<String> = ["repositoryUrl", "dryRun", "ci", "noCi", "debug", "$schema"]

    /// Converts `config`, read from `source`.
    public static func convert(_ config: JSONValue, source: String) -> ImportedReleaseRules {
        var result = ImportedReleaseRules(source: source, preset: .semanticRelease, tagPrefix: "v")
        guard case .object(let top) = config else {
            result.notCarried.append("\(source): not an object of options; nothing carried over")
            return result
        }
        if let format = top["tagFormat"] {
            if let text = format.stringValue, let prefix = ImportedReleaseRules.prefix(of: text, placeholders: ["${version}"]) {
                result.tagPrefix = prefix
            } else {
                result.notCarried.append(
                    "tagFormat '\(ImportedReleaseRules.describe(format))': berth tags are a prefix then the version; kept 'v'")
            }
        }
        readBranches(
            top["branches"] ?? top["branch"] ?? defaultBranches, explicit: top["branches"] ?? top["branch"] != nil, into: &result)
        var options = top.filter { analyzerOptions.contains($0.key) }
        for plugin in top["plugins"]?.arrayValue ?? [] {
            let (name, pluginOptions) = pluginEntry(plugin)
            if name == analyzer {
                options.merge(pluginOptions) { _, plugin in plugin }
                for key in pluginOptions.keys.sorted() where !analyzerOptions.contains(key) {
                    result.notCarried.append("\(analyzer) option '\(key)': not a release rule")
                }
            } else {
                result.notCarried.append("plugin '\(name)': berth has no such step")
            }
        }
        readAnalyzer(options, into: &result)
        let handled = analyzerOptions.union(runOptions).union(["tagFormat", "branches", "branch", "plugins"])
        for key in top.keys.sorted() where !handled.contains(key) {
            let value = ImportedReleaseRules.describe(top[key]!)
            result.notCarried.append(
                key == "extends"
                    ? "extends '\(value)': shared configurations are not read; copy their options into \(source)"
                    : "'\(key)': not a release rule")
        }
        return result
    }

    /// A `plugins` entry: `"name"` or `["name", {options}]`.
    static func pluginEntry(_ plugin: JSONValue) -> (String, [String: JSONValue]) {
        if let name = plugin.stringValue { return (name, [:]) }
        let items = plugin.arrayValue ?? []
        return (items.first?.stringValue ?? ImportedReleaseRules.describe(plugin), items.dropFirst().first?.objectValue ?? [:])
    }

    static func readAnalyzer(_ options: [String: JSONValue], into result: inout ImportedReleaseRules) {
        if let preset = options["preset"] {
            let name = preset.stringValue ?? ""
            if !["angular", "conventionalcommits"].contains(name.lowercased()) {
                result.notCarried.append(
                    "preset '\(ImportedReleaseRules.describe(preset))': berth reads Conventional Commits (angular, conventionalcommits) only"
                )
            }
        }
        for key in ["config", "parserOpts", "presetConfig"] where options[key] != nil {
            result.notCarried.append(
                "\(key) '\(ImportedReleaseRules.describe(options[key]!))': berth's Conventional Commits parser is fixed")
        }
        guard let rules = options["releaseRules"] else { return }
        guard let items = rules.arrayValue else {
            result.notCarried.append(
                "releaseRules '\(ImportedReleaseRules.describe(rules))': a module is not run; write its rules under version.bumps"
            )
            return
        }
        var converted: [BumpRule] = []
        for item in items {
            switch releaseRule(item) {
            case .success(let rule):
                if let index = converted.firstIndex(where: { $0.key == rule.key }) {
                    // semantic-release takes the highest release of the rules that match.
                    if BumpTable.rank(rule.bump) > BumpTable.rank(converted[index].bump) { converted[index] = rule }
                } else {
                    converted.append(rule)
                }
            case .failure(let problem):
                result.notCarried.append("releaseRules \(ImportedReleaseRules.describe(item)): \(problem.reason)")
            }
        }
        result.bumps = converted
    }

    struct Problem: Error {
        let reason: String
    }

    /// One `releaseRules` entry as a `BumpRule`, or why it can't be one.
    static func releaseRule(_ item: JSONValue) -> Result<BumpRule, Problem> {
        guard let fields = item.objectValue else { return .failure(Problem(reason: "not a rule object")) }
        let bump: VersionBump?
        switch fields["release"] {
        case .string(let text) where VersionBump(rawValue: text) != nil: bump = VersionBump(rawValue: text)
        case .bool(false), .null: bump = nil
        case .string(let text):
            return .failure(Problem(reason: "release '\(text)' has no berth equivalent (major, minor, patch or false)"))
        default: return .failure(Problem(reason: "needs a release (major, minor, patch or false)"))
        }
        let criteria = Set(fields.keys).subtracting(["release"])
        if let other = criteria.subtracting(["type", "scope", "revert", "breaking"]).sorted().first {
            return .failure(Problem(reason: "berth's rules match type and scope, not '\(other)'"))
        }
        if fields["breaking"] != nil {
            return .failure(
                Problem(
                    reason: "berth releases a breaking change as major (breaking_below_1 before 1.0.0) whatever the rules say"))
        }
        if fields["revert"] != nil {
            guard fields["revert"] == .bool(true), criteria == ["revert"] else {
                return .failure(Problem(reason: "a revert rule can't name a type or scope in berth"))
            }
            return .success(BumpRule(key: "revert", bump: bump)!)
        }
        let type = fields["type"]?.stringValue
        let scope = fields["scope"]?.stringValue
        guard fields["type"] == nil || type != nil, fields["scope"] == nil || scope != nil, type != nil || scope != nil else {
            return .failure(Problem(reason: "type and scope must be strings, and one of them given"))
        }
        let key = (type ?? "*") + (scope.map { "(\($0))" } ?? "")
        let globChars: Set<Character> = ["{", "[", "!", "+", "@", "|"]
        guard type.map({ !$0.contains("*") && !$0.contains("?") }) ?? true, !key.contains(where: globChars.contains),
            let rule = BumpRule(key: key, bump: bump)
        else {
            return .failure(Problem(reason: "'\(key)' is not a rule berth can write (a type, and a scope with * or ? globs)"))
        }
        return .success(rule)
    }

    /// `branches`: the first release branch becomes the default branch; the others, maintenance branches and
    /// pre-release branches become channels.
    static func readBranches(_ value: JSONValue, explicit: Bool, into result: inout ImportedReleaseRules) {
        let items = value.arrayValue ?? [value]
        var channels: [ChannelRule] = []
        for item in items {
            let fields = item.objectValue ?? [:]
            guard let name = item.stringValue ?? fields["name"]?.stringValue else {
                result.notCarried.append("branches \(ImportedReleaseRules.describe(item)): needs a name")
                continue
            }
            var glob = name
            if name == defaultMaintenance {
                glob = "*.x"
                if explicit {
                    result.notCarried.append(
                        "branches '\(name)': written as '*.x' (N.x and N.N.x branches); berth doesn't hold them to their range")
                }
            } else if name.contains(where: { "{[(!+@|".contains($0) }) {
                result.notCarried.append("branches '\(name)': a micromatch pattern berth's globs can't express")
                continue
            }
            let isMaintenance = fields["range"] != nil || isMaintenanceName(name)
            if isMaintenance, name != defaultMaintenance, fields["range"] != nil || explicit {
                result.notCarried.append("branches '\(name)': berth releases it but doesn't hold it to its range")
            }
            var preid: String?
            switch fields["prerelease"] {
            case .bool(true)?: preid = name
            case .string(let text)?: preid = text.replacingOccurrences(of: "${name}", with: name)
            default: break
            }
            if let id = preid {
                guard SemanticVersion.isValidPreid(id), !id.contains("*") else {
                    result.notCarried.append("branches '\(name)': pre-release id '\(id)' isn't valid SemVer")
                    continue
                }
                channels.append(ChannelRule(branch: glob, prerelease: id))
                continue
            }
            if let channel = fields["channel"], explicit {
                result.notCarried.append(
                    "branches '\(name)' channel '\(ImportedReleaseRules.describe(channel))': berth has no distribution channels")
            }
            if !isMaintenance && result.defaultBranch == nil && explicit {
                result.defaultBranch = name
            } else if !["master", "main"].contains(name) || explicit {
                channels.append(ChannelRule(branch: glob, prerelease: nil))
            }
        }
        result.channels = channels
    }

    /// `1.x`, `1.2.x`: semantic-release's maintenance-branch names.
    static func isMaintenanceName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.last == "x" else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
