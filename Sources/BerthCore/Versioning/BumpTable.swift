/// The `version.bumps` rules: what each kind of commit bumps.
///
/// The most specific rule that names a commit decides it (`build(deps): patch` over `build: none`; see
/// `BumpRule.specificity`); among equally specific ones the highest bump wins, as semantic-release takes
/// the highest of the rules that match. A commit no rule names makes no release.
public struct BumpTable: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    private var byKey: [String: BumpRule]

    public init(_ rules: [BumpRule] = []) {
        byKey = [:]
        for rule in rules { byKey[rule.key] = rule }
    }

    /// `["feat": .minor, "build(deps)": .patch, "build": nil]`; every key must be a valid rule key.
    public init(dictionaryLiteral elements: (String, VersionBump?)...) {
        self.init(
            elements.map { key, bump in
                guard let rule = BumpRule(key: key, bump: bump) else { preconditionFailure("not a bump rule key: '\(key)'") }
                return rule
            })
    }

    /// Every rule, ordered by key.
    public var rules: [BumpRule] { byKey.values.sorted { $0.key < $1.key } }

    /// The rule written under `key` (`build(deps)`), if any.
    public subscript(key: String) -> BumpRule? { byKey[key] }

    /// This table with `overrides`' rules in place of its own under the same keys (a preset's table
    /// overridden by berth.yaml's `version.bumps`).
    public func merging(_ overrides: BumpTable) -> BumpTable {
        var merged = self
        for (key, rule) in overrides.byKey { merged.byKey[key] = rule }
        return merged
    }

    /// The rule that decides a commit of `type` with `scope`, or nil when none names it.
    public func rule(type: String, scope: String?) -> BumpRule? {
        byKey.values.filter { $0.matches(type: type, scope: scope) }.max { a, b in
            if a.specificity != b.specificity { return a.specificity < b.specificity }
            if a.bump != b.bump { return Self.rank(a.bump) < Self.rank(b.bump) }
            return a.key > b.key
        }
    }

    /// Orders bumps with none lowest.
    static func rank(_ bump: VersionBump?) -> Int { bump.map { VersionBump.allCases.firstIndex(of: $0)! + 1 } ?? 0 }
}
