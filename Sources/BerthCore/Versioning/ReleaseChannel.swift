/// What a branch publishes: releases, numbered pre-releases (`X.Y.Z-dev.N`), or branch builds.
public enum ReleaseChannel: Hashable, Sendable {
    /// The default branch: final SemVer releases.
    case release
    /// A pre-release channel with its identifier, such as `dev` or `rc`.
    case prerelease(String)
    /// Any other branch: builds named after the branch, never released.
    case branch(String)

    /// A short name for output: `release`, the pre-release id, or `branch`.
    public var name: String {
        switch self {
        case .release: "release"
        case .prerelease(let id): id
        case .branch: "branch"
        }
    }
}

/// A rule that maps branches matching a glob (`release/*`) to a pre-release identifier.
public struct ChannelRule: Hashable, Sendable, Codable {
    /// A glob over the branch name: `*` matches any run of characters but `/`, `**` any run at all.
    public var branch: String
    /// The pre-release identifier, such as `rc`; nil makes the branch a release branch.
    public var prerelease: String?

    public init(branch: String, prerelease: String?) {
        self.branch = branch
        self.prerelease = prerelease
    }

    /// Whether `name` matches this rule's glob.
    public func matches(_ name: String) -> Bool { Glob.matches(pattern: branch, name) }
}

/// Shell-style glob matching for branch names and tag patterns.
public enum Glob {
    /// `*` matches any run without `/`, `**` any run, `?` one character; everything else is literal.
    public static func matches(pattern: String, _ text: String) -> Bool {
        matches(Array(pattern), 0, Array(text), 0)
    }

    private static func matches(_ p: [Character], _ pi: Int, _ t: [Character], _ ti: Int) -> Bool {
        if pi == p.count { return ti == t.count }
        if p[pi] == "*" {
            let crossesSlash = pi + 1 < p.count && p[pi + 1] == "*"
            let next = crossesSlash ? pi + 2 : pi + 1
            var index = ti
            while true {
                if matches(p, next, t, index) { return true }
                if index == t.count || (!crossesSlash && t[index] == "/") { return false }
                index += 1
            }
        }
        guard ti < t.count, p[pi] == "?" || p[pi] == t[ti] else { return false }
        return matches(p, pi + 1, t, ti + 1)
    }
}
