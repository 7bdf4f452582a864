import BerthOCI

/// commitizen's `[tool.commitizen]` settings (pyproject.toml, .cz.toml) read as berth's version rules.
///
/// What carries over: `tag_format` (`v$version`; commitizen's default `$version` is no prefix) as the tag
/// prefix and `major_version_zero` as `breaking_below_1: minor`, over the `commitizen` preset (its
/// `cz_conventional_commits` bump map). commitizen has no branch rules: berth's channels stay.
public enum CommitizenImport {
    /// Settings that shape how commits are written (`cz commit`, `cz check`), not what they release.
    static let authoring: Set<String> = [
        "name", "encoding", "style", "use_shortcuts", "message_length_limit", "allowed_prefixes", "always_signoff",
        "allow_abort", "extras", "template", "breaking_change_exclamation_in_title", "customize", "changelog_file",
        "changelog_format", "changelog_incremental", "changelog_start_rev", "changelog_merge_prerelease",
        "tag_format", "major_version_zero", "version_scheme", "version", "version_type",
    ]

    /// Converts the `[tool.commitizen]` table `config`, read from `source`.
    public static func convert(_ config: JSONValue, source: String) -> ImportedReleaseRules {
        var result = ImportedReleaseRules(source: source, preset: .commitizen, tagPrefix: "")
        guard case .object(let settings) = config else {
            result.notCarried.append("\(source): [tool.commitizen] is not a table; nothing carried over")
            return result
        }
        let name = settings["name"]?.stringValue ?? "cz_conventional_commits"
        if name != "cz_conventional_commits" {
            result.notCarried.append(
                "name '\(name)': its bump rules are code or regular expressions; write them under version.bumps")
        }
        if let format = settings["tag_format"] {
            if let text = format.stringValue,
                let prefix = ImportedReleaseRules.prefix(of: text, placeholders: ["$version", "${version}"])
            {
                result.tagPrefix = prefix
            } else {
                result.notCarried.append(
                    "tag_format '\(ImportedReleaseRules.describe(format))': berth tags are a prefix then the version; kept no prefix"
                )
            }
        }
        if settings["major_version_zero"] == .bool(true) { result.breakingBumpBelowOne = .minor }
        let scheme = settings["version_scheme"]?.stringValue ?? settings["version_type"]?.stringValue
        if let scheme, !["semver", "semver2"].contains(scheme) {
            result.notCarried.append(
                "version_scheme '\(scheme)': berth writes SemVer pre-releases (1.2.0-rc.1, not 1.2.0rc1)")
        }
        if let version = settings["version"] {
            result.notCarried.append(
                "version '\(ImportedReleaseRules.describe(version))': berth reads the current version from the last release tag")
        }
        for key in settings.keys.sorted() where !authoring.contains(key) {
            result.notCarried.append(
                "\(key) '\(ImportedReleaseRules.describe(settings[key]!))': berth has no such step")
        }
        return result
    }
}
