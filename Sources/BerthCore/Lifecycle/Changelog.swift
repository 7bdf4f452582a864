/// The commits between two releases grouped by Conventional Commits type: breaking changes first, then
/// features, fixes and the rest; commits that aren't conventional are listed last.
public struct Changelog: Hashable, Sendable {
    public struct Section: Hashable, Sendable, Encodable {
        public let title: String
        public let entries: [String]
    }

    public let sections: [Section]

    static let titles: [(type: String, title: String)] = [
        ("feat", "Features"), ("fix", "Fixes"), ("perf", "Performance"), ("refactor", "Refactoring"), ("docs", "Documentation"),
        ("test", "Tests"), ("build", "Build"), ("ci", "CI"), ("chore", "Chores"), ("style", "Style"), ("revert", "Reverts"),
    ]

    /// - Parameter commits: newest first, as git lists them.
    public init(commits: [GitCommit]) {
        var breaking: [String] = []
        var byType: [String: [String]] = [:]
        var other: [String] = []
        for commit in commits {
            let short = String(commit.sha.prefix(7))
            guard let parsed = ConventionalCommit(message: commit.message) else {
                other.append("\(commit.message.prefix { $0 != "\n" }) (\(short))")
                continue
            }
            let line = "\(parsed.scope.map { "**\($0)**: " } ?? "")\(parsed.description) (\(short))"
            if parsed.isBreaking { breaking.append(line) }
            byType[parsed.type, default: []].append(line)
        }
        var sections: [Section] = []
        if !breaking.isEmpty { sections.append(Section(title: "Breaking changes", entries: breaking)) }
        for (type, title) in Self.titles {
            if let entries = byType.removeValue(forKey: type) { sections.append(Section(title: title, entries: entries)) }
        }
        for type in byType.keys.sorted() { sections.append(Section(title: type, entries: byType[type]!)) }
        if !other.isEmpty { sections.append(Section(title: "Other", entries: other)) }
        self.sections = sections
    }

    /// Markdown: a heading per section, a bullet per commit.
    public func markdown(from: String, to: String) -> String {
        var text = "## \(to) (since \(from))\n"
        for section in sections {
            text += "\n### \(section.title)\n\n" + section.entries.map { "- \($0)\n" }.joined()
        }
        return text
    }
}
