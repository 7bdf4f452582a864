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

    public func changelog(from: String, to: String) throws -> Changelog {
        let tags = try git.tags()
        func commit(_ version: String) throws -> String {
            guard let tag = tags.first(where: { $0.name == tagPrefix + version }) else {
                throw BerthError(.usage, "no git tag '\(tagPrefix)\(version)': list releases with git tag --list '\(tagPrefix)*'")
            }
            return tag.commit
        }
        return Changelog(commits: try git.commits(from: try commit(from), to: try commit(to), path: path))
    }
}
