/// The changelog between two releases: the commits between their git tags, by Conventional Commits type.
public struct ChangelogService: Sendable {
    public let git: any GitHistory
    public let tagPrefix: String
    /// Only commits touching this path (a monorepo's service).
    public let path: String?

    public init(git: any GitHistory, tagPrefix: String, path: String?) {
        self.git = git
        self.tagPrefix = tagPrefix
        self.path = path
    }

    /// The changelog from the older release `from` to the newer `to`. Both must be SemVer (else `.badInput`),
    /// and `from` must not be the newer one (else `.usage`): `git log NEW..OLD` would list nothing, or the
    /// wrong commits, without a word.
    public func changelog(from: String, to: String) throws -> Changelog {
        try Self.checkOrder(from: from, to: to)
        let tags = try git.tags()
        func commit(_ version: String) throws -> String {
            guard let tag = tags.first(where: { $0.name == tagPrefix + version }) else {
                throw BerthError(.usage, "no git tag '\(tagPrefix)\(version)': list releases with git tag --list '\(tagPrefix)*'")
            }
            return tag.commit
        }
        return Changelog(commits: try git.commits(from: try commit(from), to: try commit(to), path: path))
    }

    /// Refuses a `from` or `to` that isn't SemVer (`.badInput`) and a `from` of higher precedence than `to` (`.usage`).
    public static func checkOrder(from: String, to: String) throws(BerthError) {
        guard let older = SemanticVersion(try VersionArgument.validated(from)),
            let newer = SemanticVersion(try VersionArgument.validated(to))
        else { return }
        guard SemanticVersion.precedence(older, newer) <= 0 else {
            throw BerthError(
                .usage,
                "'\(from)' is newer than '\(to)': give the older version first, berth diff \(to) \(from)")
        }
    }
}
