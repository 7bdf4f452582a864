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
        for tag in tags where !tag.name.hasPrefix(prefix) && tag.name.hasPrefix(alternatePrefix) {
            if let version = SemanticVersion(String(tag.name.dropFirst(alternatePrefix.count))) {
                alternates.insert(version.withoutBuild.description)
            }
        }
        alternateSpellings = alternates
        for tag in tags where tag.name.hasPrefix(prefix) {
            if let version = SemanticVersion(String(tag.name.dropFirst(prefix.count))) {
                versions.append(ReleaseTag(name: tag.name, version: version, commit: tag.commit))
            } else {
                skipped.append(tag.name)
            }
        }
        let order = versions.map(\.version).enumerated().sorted { a, b in
            let p = SemanticVersion.precedence(a.element, b.element)
            return p == 0 ? versions[a.offset].name < versions[b.offset].name : p < 0
        }
        self.versions = order.map { versions[$0.offset] }
        releases = self.versions.filter { !$0.version.isPrerelease }
        self.skipped = skipped.sorted()
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
