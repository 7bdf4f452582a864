/// One `version.bumps` entry: the commits it names and what they bump.
///
/// The key is a Conventional Commits type (`build`), or `*` for any type, optionally followed by a scope
/// glob in parentheses (`build(deps)`, `docs(readme*)`, `*(no-release)`): the two criteria of
/// semantic-release's `releaseRules` that Conventional Commits carry. The glob is `Glob`'s, as
/// micromatch reads it there (`*` stops at `/`).
public struct BumpRule: Hashable, Sendable {
    /// The type, lower-cased (Conventional Commits 1.0.0 §15), or `*` for any.
    public let type: String
    /// A glob over the commit's scope; nil matches any scope and none.
    public let scope: String?
    /// What a matching commit bumps; nil: no release.
    public let bump: VersionBump?

    /// Reads a key such as `build(deps)`; nil when it isn't `TYPE` or `TYPE(SCOPE)`.
    public init?(key: String, bump: VersionBump?) {
        var rest = key[...]
        let type: Substring
        if rest.first == "*" {
            type = rest.prefix(1)
        } else {
            type = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            guard let first = type.first, first.isLetter else { return nil }
        }
        rest = rest.dropFirst(type.count)
        var scope: String?
        if !rest.isEmpty {
            guard rest.first == "(", rest.last == ")" else { return nil }
            let inner = rest.dropFirst().dropLast()
            guard !inner.isEmpty, !inner.contains("("), !inner.contains(")"), !inner.contains(where: \.isWhitespace)
            else { return nil }
            scope = String(inner)
        }
        // `*` alone would release every commit whatever its type: name the scope it is for.
        if type == "*" && scope == nil { return nil }
        self.type = type.lowercased()
        self.scope = scope
        self.bump = bump
    }

    /// The key as written in berth.yaml: `build(deps)`.
    public var key: String { scope.map { "\(type)(\($0))" } ?? type }

    /// `build(deps) → patch`, or `build → none`: the line `berth version` shows for a commit it matched.
    public var explanation: String { "\(key) → \(bump?.rawValue ?? "none")" }

    /// Whether a commit of `type` with `scope` is one this rule names.
    public func matches(type commitType: String, scope commitScope: String?) -> Bool {
        guard type == "*" || type == commitType else { return false }
        guard let scope else { return true }
        guard let commitScope else { return false }
        return Glob.matches(pattern: scope, commitScope)
    }

    /// Higher is more specific: a scope beats none, a literal scope a glob, a named type `*`.
    var specificity: Int {
        guard let scope else { return 0 }
        let literal = !scope.contains("*") && !scope.contains("?")
        return 2 + (literal ? 2 : 0) + (type == "*" ? 0 : 1)
    }
}
