import BerthCore
import Testing

/// `version.bumps` with scopes, the presets and reverts, as pure tables. Cases marked "commit-analyzer" are
/// semantic-release/commit-analyzer's own test cases (test/analyze-commit.test.js, test/integration.test.js)
/// for Conventional Commits, ported as data.
@Suite("release rules: scoped bumps, presets, reverts")
struct ReleaseRulesTests {
    static func commits(_ messages: [String]) -> [GitCommit] {
        // Newest first, as GitHistory gives them; SHAs from the position so reverts can name them.
        messages.enumerated().map { index, message in GitCommit(sha: sha(index), message: message) }
    }

    static func sha(_ index: Int) -> String { String(repeating: String(index % 10), count: 40) }

    static func bump(_ messages: [String], _ policy: VersionPolicy, below1: Bool = false) -> VersionBump? {
        policy.count(commits(messages), below1: below1).compactMap(\.bump).max()
    }

    static let semanticRelease = VersionPreset.semanticRelease.applied(to: VersionPolicy())
    static let commitizen = VersionPreset.commitizen.applied(to: VersionPolicy())

    @Test(
        "a rule key is TYPE or TYPE(SCOPE), a scope glob or *(SCOPE); anything else is refused",
        arguments: [
            ("feat", "feat", nil), ("Build(deps)", "build", "deps"), ("docs(readme*)", "docs", "readme*"),
            ("*(no-release)", "*", "no-release"), ("my-type_2", "my-type_2", nil),
        ] as [(String, String, String?)])
    func keys(key: String, type: String, scope: String?) throws {
        let rule = try #require(BumpRule(key: key, bump: .patch))
        #expect(rule.type == type)
        #expect(rule.scope == scope)
    }

    @Test(
        "malformed keys are not rules",
        arguments: [
            "", "*", "(deps)", "build(", "build()", "build(deps", "build(a)(b)", "2fix", "build (deps)", "build(a b)", "feat!",
        ])
    func badKeys(key: String) {
        #expect(BumpRule(key: key, bump: .patch) == nil)
    }

    @Test(
        "the most specific rule decides: a scope over none, a literal scope over a glob, a type over *",
        arguments: [
            // (commit type, scope, expected rule key)
            ("build", "deps", "build(deps)"), ("build", nil, "build"), ("build", "ci", "build"),
            ("build", "deps-dev", "build(deps-*)"), ("chore", "deps", "*(deps)"), ("chore", "deps-dev", "chore"),
            ("docs", "README", "docs(README)"), ("docs", "readme", "docs"), ("style", nil, nil),
            ("feat", "no-release", "*(no-release)"),
        ] as [(String, String?, String?)])
    func specificity(type: String, scope: String?, expected: String?) {
        let table: BumpTable = [
            "build": nil, "build(deps)": .patch, "build(deps-*)": .minor, "*(deps)": .patch, "chore": nil,
            "docs": nil, "docs(README)": .patch, "feat": .minor, "*(no-release)": nil,
        ]
        #expect(table.rule(type: type, scope: scope)?.key == expected)
    }

    @Test("equally specific rules that both match: the higher bump wins, as semantic-release takes the highest")
    func ties() {
        let table: BumpTable = ["build(dep*)": .patch, "build(*s)": .minor]
        #expect(table.rule(type: "build", scope: "deps")?.bump == .minor)
        #expect(table.rule(type: "build", scope: "depot")?.bump == .patch)
    }

    @Test("explicit rules override the preset's under the same key and add to it")
    func merging() {
        let table = VersionPreset.commitizen.bumps.merging(["refactor": nil, "build(deps)": .patch])
        #expect(table["refactor"]?.bump == nil)
        #expect(table["refactor"] != nil)
        #expect(table["build(deps)"]?.bump == .patch)
        #expect(table["perf"]?.bump == .patch)
        #expect(table.rule(type: "refactor", scope: nil)?.bump == nil)
    }

    @Test(
        "each preset's table, checked against the tool's defaults",
        arguments: [
            // (type, conventional, semantic-release, commitizen)
            ("feat", VersionBump?.some(.minor), VersionBump?.some(.minor), VersionBump?.some(.minor)),
            ("fix", .patch, .patch, .patch), ("perf", nil, .patch, .patch), ("refactor", nil, nil, .patch),
            ("revert", nil, .patch, nil), ("docs", nil, nil, nil), ("chore", nil, nil, nil), ("build", nil, nil, nil),
        ] as [(String, VersionBump?, VersionBump?, VersionBump?)])
    func presets(type: String, conventional: VersionBump?, semanticRelease: VersionBump?, commitizen: VersionBump?) {
        #expect(Self.bump(["\(type): x"], VersionPolicy()) == conventional)
        #expect(Self.bump(["\(type): x"], Self.semanticRelease) == semanticRelease)
        #expect(Self.bump(["\(type): x"], Self.commitizen) == commitizen)
    }

    @Test("presets set the first release, breaking changes below 1.0.0 and revert pairing too")
    func presetDefaults() {
        #expect(VersionPolicy().initialVersion == SemanticVersion(0, 1, 0))
        #expect(Self.semanticRelease.initialVersion == SemanticVersion(1, 0, 0))
        #expect(Self.commitizen.initialVersion == SemanticVersion(0, 1, 0))
        #expect(Self.bump(["feat!: x"], VersionPolicy(), below1: true) == .minor)
        #expect(Self.bump(["feat!: x"], Self.semanticRelease, below1: true) == .major)
        #expect(Self.bump(["feat!: x"], Self.commitizen, below1: true) == .major)
        #expect(VersionPolicy().cancelsReverts && Self.semanticRelease.cancelsReverts && !Self.commitizen.cancelsReverts)
    }

    @Test("a breaking change is major whatever a scoped rule says; a scoped none silences the rest")
    func breakingWins() {
        var policy = VersionPolicy()
        policy.bumps = policy.bumps.merging(["*(no-release)": nil, "build": nil, "build(deps)": .patch])
        #expect(Self.bump(["feat(no-release): x"], policy) == nil)
        #expect(Self.bump(["feat(no-release)!: x"], policy) == .major)
        #expect(Self.bump(["build(deps): bump yams"], policy) == .patch)
        #expect(Self.bump(["build: bump swift"], policy) == nil)
        #expect(Self.bump(["build(deps)!: drop node 18"], policy) == .major)
    }

    @Test("each commit says which rule decided it")
    func explanations() {
        var policy = VersionPolicy()
        policy.bumps = policy.bumps.merging(["build": nil, "build(deps)": .patch])
        let counted = policy.count(
            Self.commits(["build(deps): bump yams", "build: swift 6.3", "feat!: drop v1", "chore: tidy", "wip"]), below1: false)
        #expect(
            counted.map(\.explanation) == [
                "build(deps) → patch", "build → none", "breaking change → major", "chore: no rule → none",
                "not a Conventional Commit → none",
            ])
    }

    // MARK: reverts

    @Test(
        "revert messages read as conventional-changelog-angular's revertPattern reads them",
        arguments: [
            (
                "Revert \"feat(scope): First feature\"\n\nThis reverts commit df012f3ab.\n", "feat(scope): First feature",
                "df012f3ab"
            ),
            ("revert: feat(scope): First feature\n\nThis reverts commit df012f3.\n", "feat(scope): First feature", "df012f3"),
            ("REVERT: fix: x\n\nthis REVERTS commit 1234567", "fix: x", "1234567"),
            ("revert \"fix: x\" This reverts commit abcdef0123456789", "fix: x", "abcdef0123456789"),
            ("Revert \"fix: \"quoted\" x\"\n\nThis reverts commit 1234567.", "fix: \"quoted\" x", "1234567"),
        ])
    func revertParsing(message: String, header: String, hash: String) throws {
        let reference = try #require(RevertReference(message: message))
        #expect(reference.header == header)
        #expect(reference.hash == hash)
    }

    @Test(
        "not reverts: no hash line, a hash too short or too long, no space after Revert",
        arguments: [
            "revert: feat: x", "Revert \"feat: x\"", "Revert \"feat: x\"\n\nThis reverts commit 123456.",
            "Revert \"x\"\n\nThis reverts commit \(String(repeating: "a", count: 41)).",
            "Reverted \"x\" This reverts commit 1234567",
            "feat: revert x\n\nThis reverts commit 1234567.",
        ])
    func notReverts(message: String) {
        #expect(RevertReference(message: message) == nil)
    }

    @Test(
        "commit-analyzer: a revert and the commit it reverts, both since the release, drop out (fix, revert feat, feat → patch)")
    func revertPair() {
        let messages = [
            "fix(scope): First fix", "revert: feat(scope): First feature\n\nThis reverts commit \(Self.sha(2)).\n",
            "feat(scope): First feature",
        ]
        #expect(Self.bump(messages, Self.semanticRelease) == .patch)
        let counted = Self.semanticRelease.count(Self.commits(messages), below1: false)
        #expect(counted[1].ruling == .reverts(Self.sha(2)))
        #expect(counted[2].ruling == .revertedBy(Self.sha(1)))
        // commitizen pairs nothing: the feat still counts.
        #expect(Self.bump(messages, Self.commitizen) == .minor)
    }

    @Test("git's own revert message pairs too, by a hash prefix; a header that differs doesn't pair")
    func revertForms() {
        let pair = ["Revert \"feat: x\"\n\nThis reverts commit \(Self.sha(1).prefix(9)).", "feat: x"]
        #expect(Self.bump(pair, VersionPolicy()) == nil)
        let edited = ["Revert \"feat: x, edited\"\n\nThis reverts commit \(Self.sha(1)).", "feat: x"]
        #expect(Self.bump(edited, VersionPolicy()) == .minor)
        #expect(Self.bump(edited, Self.semanticRelease) == .minor)
    }

    @Test("a revert of a commit released before counts as a revert: patch under semantic-release, none by default")
    func loneRevert() {
        let messages = ["Revert \"feat: x\"\n\nThis reverts commit 1234567890abcdef.", "docs: y"]
        #expect(Self.bump(messages, Self.semanticRelease) == .patch)
        #expect(Self.bump(messages, VersionPolicy()) == nil)
        let counted = Self.semanticRelease.count(Self.commits(messages), below1: false)
        #expect(counted[0].explanation == "revert → patch")
    }

    @Test("a revert of a revert cancels that revert: the original commit counts again")
    func revertOfRevert() {
        let messages = [
            "Revert \"Revert \"feat: x\"\"\n\nThis reverts commit \(Self.sha(1)).",
            "Revert \"feat: x\"\n\nThis reverts commit \(Self.sha(2)).", "feat: x",
        ]
        #expect(Self.bump(messages, Self.semanticRelease) == .minor)
        let counted = Self.semanticRelease.count(Self.commits(messages), below1: false)
        #expect(
            counted.map(\.ruling) == [
                .reverts(Self.sha(1)), .revertedBy(Self.sha(0)), .rule(BumpRule(key: "feat", bump: .minor)!),
            ])
    }

    @Test(
        "commit-analyzer's integration cases, Conventional Commits ones",
        arguments: [
            (["feat(scope2): Second feature", "fix(scope1): First fix"], VersionBump?.some(.minor)),
            (["feat!: Breaking change feature", "fix: First fix"], .major),
            (["perf: perf improvement", "fix: First fix (fixes #123)"], .patch),
            (["chore: Chore", "doc: doc update"], nil), (["fix(scope1): First fix", ""], .patch),
        ] as [([String], VersionBump?)])
    func analyzerIntegration(messages: [String], expected: VersionBump?) {
        #expect(Self.bump(messages, Self.semanticRelease) == expected)
    }

    @Test("commit-analyzer: releaseRules type feat → false silences feat; a fix still releases a patch")
    func analyzerFalse() {
        var policy = Self.semanticRelease
        policy.bumps = policy.bumps.merging(["feat": nil])
        #expect(Self.bump(["feat: new feature", "chore: First chore"], policy) == nil)
        #expect(Self.bump(["fix: new Fix", "feat: new feature"], policy) == .patch)
    }

    @Test("commit-analyzer: a scope glob (docs, scope b*) matches bar and baz, not foo")
    func analyzerGlob() {
        let table: BumpTable = ["docs(b*)": .minor]
        #expect(table.rule(type: "docs", scope: "bar")?.bump == .minor)
        #expect(table.rule(type: "docs", scope: "baz")?.bump == .minor)
        #expect(table.rule(type: "docs", scope: "foo") == nil)
        #expect(table.rule(type: "docs", scope: nil) == nil)
    }
}
