import BerthCore

/// The berth.yaml `berth init --from` writes: the version rules converted from another release tool, then
/// the rest of the commented template.
enum ImportedConfigTemplate {
    static func berthYAML(_ rules: ImportedReleaseRules, tool: String) -> String {
        var lines = [
            "# berth.yaml: how berth versions, tags and labels this service.",
            "# Version rules converted from \(rules.source) by berth init --from \(tool). Reference: docs/configuration.md",
            "",
            "version:",
            "  preset: \(rules.preset.rawValue)  # \(presetSummary(rules.preset))",
            "  tag_prefix: \(quoted(rules.tagPrefix))",
        ]
        if let branch = rules.defaultBranch { lines.append("  default_branch: \(quoted(branch))") }
        if let below = rules.breakingBumpBelowOne { lines.append("  breaking_below_1: \(below.rawValue)") }
        if !rules.bumps.isEmpty {
            lines.append("  bumps:                   # over the preset's rules; the most specific key decides a commit")
            for rule in rules.bumps { lines.append("    \(quoted(rule.key)): \(rule.bump?.rawValue ?? "none")") }
        }
        if let channels = rules.channels {
            if channels.isEmpty {
                lines.append("  channels: []             # only the default branch releases")
            } else {
                lines.append("  channels:                # first match wins; the default branch always releases")
                for channel in channels {
                    lines.append("    - branch: \(quoted(channel.branch))")
                    if let preid = channel.prerelease { lines.append("      prerelease: \(quoted(preid))") }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n" + rest
    }

    static func presetSummary(_ preset: VersionPreset) -> String {
        switch preset {
        case .conventional: "feat minor, fix patch"
        case .semanticRelease: "feat minor; fix, perf, revert patch; first release 1.0.0"
        case .commitizen: "feat minor; fix, refactor, perf patch"
        }
    }

    /// The default template after its `version:` section.
    static var rest: String {
        let template = InitTemplates.berthYAML
        guard let start = template.range(of: "\nimage:") else { return "" }
        return String(template[start.lowerBound...])
    }

    /// A YAML double-quoted scalar: keys such as `*(deps)` and empty prefixes need quotes.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
