import Foundation

/// The tag-format gate: an image headed for an environment must carry a tag its naming rule accepts.
public enum TagFormatGate {
    /// A blocking reason, or nil when `tag` suits `environment`.
    public static func problem(tag: String, environment: EnvironmentPolicy) -> String? {
        if let pattern = environment.pattern {
            let matches = tag.range(of: pattern, options: .regularExpression) != nil
            if !matches { return "tag '\(tag)' breaks environment '\(environment.name)' naming rule \(pattern)" }
        }
        if environment.requireFinal {
            let version = tag.hasPrefix("v") ? String(tag.dropFirst()) : tag
            guard let parsed = SemanticVersion(version), !parsed.isPrerelease else {
                return "tag '\(tag)' is not a final release, and environment '\(environment.name)' takes final releases only"
            }
        }
        return nil
    }
}
