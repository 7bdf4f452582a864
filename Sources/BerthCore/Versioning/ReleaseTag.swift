/// A git tag read as a version: the tag name, its SemVer (prefix removed) and its commit.
public struct ReleaseTag: Hashable, Sendable {
    public let name: String
    public let version: SemanticVersion
    public let commit: String

    public init(name: String, version: SemanticVersion, commit: String) {
        self.name = name
        self.version = version
        self.commit = commit
    }
}

/// The tags of a repository sorted into versions and the rest, for one tag prefix.
public struct TagCatalog: Sendable {
    /// Tags with the prefix whose remainder is valid SemVer, in ascending precedence.
    public let versions: [ReleaseTag]
    /// Tags with the prefix that aren't valid SemVer (skipped; `--verbose` lists them).
    public let skipped: [String]
    /// Versions tagged under the prefix's other spelling, with or without its trailing `v` (`21.3.0` for
    /// prefix `v`, `api/21.3.0` for `api/v`): the same release named another way, which a new version
    /// must not take. Other prefixes (another service of a monorepo) don't count.
    public let alternateSpellings: Set<String>

    /// Reads `tags` with `prefix`; tags without the prefix belong to something else and are ignored.
    public init(tags: [GitTagRef], prefix: String) {
        var versions: [ReleaseTag] = []
        var skipped: [String] = []
        var alternates: Set<String> = []
        let alternatePrefix = prefix.hasSuffix("v") ? String(prefix.dropLast()) : prefix + "v"
        // One pass over the names as bytes: a busy repository has thousands of tags (bench-plan.sh).
        let (own, other) = (Array(prefix.utf8), Array(alternatePrefix.utf8))
        for tag in tags {
            let name = tag.name.utf8
            if name.starts(with: own) {
                if let version = SemanticVersion(String(decoding: name.dropFirst(own.count), as: UTF8.self)) {
                    versions.append(ReleaseTag(name: tag.name, version: version, commit: tag.commit))
                } else {
                    skipped.append(tag.name)
                }
            } else if name.starts(with: other),
                let version = SemanticVersion(String(decoding: name.dropFirst(other.count), as: UTF8.self))
            {
                alternates.insert(version.withoutBuild.description)
            }
        }
        alternateSpellings = alternates
        self.versions = Self.sortedByPrecedence(versions)
        releases = self.versions.filter { !$0.version.isPrerelease }
        self.skipped = skipped.sorted()
    }

    /// Ascending precedence, equal precedence by name. Most comparisons are decided by the numbers,
    /// compared as integers when they fit; the rest by SemVer's full rules.
    static func sortedByPrecedence(_ tags: [ReleaseTag]) -> [ReleaseTag] {
        typealias Numbers = (UInt64, UInt64, UInt64)
        let keyed: [(numbers: Numbers?, tag: ReleaseTag)] = tags.map { tag in
            let v = tag.version
            guard let major = UInt64(v.major.digits), let minor = UInt64(v.minor.digits), let patch = UInt64(v.patch.digits)
            else { return (nil, tag) }
            return ((major, minor, patch), tag)
        }
        return keyed.sorted { a, b in
            if let x = a.numbers, let y = b.numbers, x != y { return x < y }
            let order = SemanticVersion.precedence(a.tag.version, b.tag.version)
            return order == 0 ? a.tag.name < b.tag.name : order < 0
        }.map(\.tag)
    }

    /// Final releases (no pre-release part), ascending.
    public let releases: [ReleaseTag]

    /// The tags that point at `commit`.
    public func tags(at commit: String) -> [ReleaseTag] { versions.filter { $0.commit == commit } }

    /// The highest N among tags `core-<preid>.N`, or nil when there is none.
    public func highestPrereleaseNumber(of core: SemanticVersion, preid: String) -> DecimalNumber? {
        let ids = SemanticVersion.prereleaseIdentifiers(preid)
        return versions.compactMap { tag -> DecimalNumber? in
            let v = tag.version
            guard v.core == core, v.prerelease.count == ids.count + 1, Array(v.prerelease.prefix(ids.count)) == ids,
                case .numeric(let n) = v.prerelease.last!
            else { return nil }
            return n
        }.max()
    }
}
