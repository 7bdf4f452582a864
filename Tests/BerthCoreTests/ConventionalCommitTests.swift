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
            // Line ends: a CRLF message's header stops at its CR, and its footers are found.
            Case(message: "fix: x\r\n\r\nBREAKING CHANGE: y", type: "fix", scope: nil, breaking: true),
            Case(message: "fix: x\r\rBREAKING-CHANGE #12", type: "fix", scope: nil, breaking: true),
            Case(message: "fix: x\n\nNOT BREAKING CHANGE: y", type: "fix", scope: nil, breaking: false),
            Case(message: "fix: x\n\nBREAKING CHANGE:y", type: "fix", scope: nil, breaking: false),
            // Beyond ASCII: any script in the description, letters in the type, and marks that fuse
            // with the separator into one character (then it is no `: `).
            Case(message: "feat(登录): 添加二维码登录", type: "feat", scope: "登录", breaking: false),
            Case(message: "feat: 添加二维码登录\n\nBREAKING CHANGE: 接口变更", type: "feat", scope: nil, breaking: true),
            Case(message: "функция: добавить", type: "функция", scope: nil, breaking: false),
            Case(message: "é: accented type", type: "é", scope: nil, breaking: false),
            Case(message: "feat: \u{301}mark after the space", type: nil, scope: nil, breaking: false),
            Case(message: "feat:\u{301} mark after the colon", type: nil, scope: nil, breaking: false),
            Case(message: "feat\u{301}: mark in the type", type: "feat\u{301}", scope: nil, breaking: false),
            Case(message: "feat(x)\u{301}: mark after the scope", type: nil, scope: nil, breaking: false),
            Case(message: "1feat: digit first", type: nil, scope: nil, breaking: false),
            Case(message: "feat(a(b)): nested parenthesis", type: nil, scope: nil, breaking: false),
            Case(message: "feat!:  spaces around  ", type: "feat", scope: nil, breaking: true),
        ])
    func parse(_ c: Case) {
        let commit = ConventionalCommit(message: c.message)
        #expect(commit?.type == c.type)
        #expect(commit?.scope == c.scope)
        #expect((commit?.isBreaking ?? false) == c.breaking)
    }

    @Test("the description is the header's text without surrounding spaces")
    func description() {
        #expect(ConventionalCommit(message: "feat!:  spaces around  \nbody")?.description == "spaces around")
        #expect(ConventionalCommit(message: "fix: 修复 \r\nbody")?.description == "修复")
    }
}
