import BerthCore
import Testing

@Suite("Conventional Commits 1.0.0")
struct ConventionalCommitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let message: String
        let type: String?
        let scope: String?
        let breaking: Bool
        var testDescription: String { message.replacingOccurrences(of: "\n", with: "⏎") }
    }

    @Test(
        "headers, scopes, '!' and BREAKING CHANGE footers",
        arguments: [
            Case(message: "feat: add login", type: "feat", scope: nil, breaking: false),
            Case(message: "fix(api): handle nil", type: "fix", scope: "api", breaking: false),
            Case(message: "feat!: drop v1 API", type: "feat", scope: nil, breaking: true),
            Case(message: "refactor(core)!: rename", type: "refactor", scope: "core", breaking: true),
            Case(message: "FEAT: shout", type: "feat", scope: nil, breaking: false),
            Case(message: "feat: x\n\nBREAKING CHANGE: config moved", type: "feat", scope: nil, breaking: true),
            Case(message: "fix: x\n\nbody\n\nBREAKING-CHANGE: gone", type: "fix", scope: nil, breaking: true),
            Case(message: "fix: x\n\nbreaking change: lower case is not a footer", type: "fix", scope: nil, breaking: false),
            Case(message: "chore(deps): bump gin", type: "chore", scope: "deps", breaking: false),
            Case(message: "Merge branch 'feature/x'", type: nil, scope: nil, breaking: false),
            Case(message: "feat:no space", type: nil, scope: nil, breaking: false),
            Case(message: "feat(: broken", type: nil, scope: nil, breaking: false),
            Case(message: "feat(): empty scope", type: nil, scope: nil, breaking: false),
            Case(message: "feat: ", type: nil, scope: nil, breaking: false),
            Case(message: "update readme", type: nil, scope: nil, breaking: false),
            Case(message: "feat(ui/login): nested scope", type: "feat", scope: "ui/login", breaking: false),
        ])
    func parse(_ c: Case) {
        let commit = ConventionalCommit(message: c.message)
        #expect(commit?.type == c.type)
        #expect(commit?.scope == c.scope)
        #expect((commit?.isBreaking ?? false) == c.breaking)
    }
}
