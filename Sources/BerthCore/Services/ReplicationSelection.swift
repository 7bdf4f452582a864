import Foundation

/// Which repositories and tags a sync copies. Repositories by name or glob (`*` within one path
/// component, `**` across them, `?` one character); tags that a regular expression matches whole, or
/// whose SemVer version (a leading `v` allowed) is in a range, or every tag. Referrer and signature
/// tags (`sha256-<hex>`, `.sig`, `.att`, `.sbom`) are never images of their own: they travel with the
/// image they are attached to.
public struct ReplicationSelection: Hashable, Sendable {
    /// Every tag (`--all-tags`); otherwise `pattern` and/or `versions` decide (both, when both are set).
    public var allTags: Bool
    /// A regular expression a tag must match whole.
    public var pattern: String?
    /// A SemVer range the tag's version must be in.
    public var versions: VersionRange?

    public init(allTags: Bool = false, pattern: String? = nil, versions: VersionRange? = nil) {
        self.allTags = allTags
        self.pattern = pattern
        self.versions = versions
    }

    /// Whether a rule is given at all (a sync of a repository without a tag needs one).
    public var isEmpty: Bool { !allTags && pattern == nil && versions == nil }

    /// The tags of `tags` this selection copies, in the order given; throws on a bad pattern.
    public func select(_ tags: [String]) throws -> [String] {
        let regex = try pattern.map { pattern in
            do { return try NSRegularExpression(pattern: "^(?:\(pattern))$") } catch {
                throw BerthError(.usage, "--tags '\(pattern)' is not a regular expression; check its brackets and escapes")
            }
        }
        return tags.filter { tag in
            guard RetentionPlanner.referrerSubject(tag) == nil else { return false }
            if allTags { return true }
            if let regex,
                regex.firstMatch(in: tag, range: NSRange(location: 0, length: (tag as NSString).length)) == nil
            {
                return false
            }
            if let versions {
                let text = tag.first == "v" ? String(tag.dropFirst()) : tag
                guard let version = SemanticVersion(text), versions.contains(version) else { return false }
            }
            return true
        }
    }

    /// Whether `pattern` (a repository name, or a glob) has glob characters.
    public static func isGlob(_ pattern: String) -> Bool { pattern.contains { "*?".contains($0) } }

    /// Whether the repository `name` matches the glob `pattern`.
    public static func repository(_ name: String, matches pattern: String) -> Bool {
        var expression = "^"
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*":
                if characters.first == "*" {
                    characters.removeFirst()
                    expression += ".*"
                } else {
                    expression += "[^/]*"
                }
            case "?": expression += "[^/]"
            default: expression += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        guard let regex = try? NSRegularExpression(pattern: expression + "$") else { return false }
        return regex.firstMatch(in: name, range: NSRange(location: 0, length: (name as NSString).length)) != nil
    }
}
