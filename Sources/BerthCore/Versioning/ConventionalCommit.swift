/// A commit message read as Conventional Commits 1.0.0: `type(scope)!: description`, a body, footers.
public struct ConventionalCommit: Hashable, Sendable {
    /// The type, lower-cased (the spec says types are case-insensitive, §15).
    public let type: String
    public let scope: String?
    public let description: String
    /// `!` before the colon (§13) or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer (§12, §16).
    public let isBreaking: Bool

    /// Parses a whole commit message; nil when its first line isn't a Conventional Commits header.
    public init?(message: String) {
        let header = message.prefix { $0 != "\n" && $0 != "\r" }
        guard let parsed = ConventionalCommit.parseHeader(header) else { return nil }
        type = parsed.type.lowercased()
        scope = parsed.scope
        description = parsed.description
        isBreaking = parsed.bang || ConventionalCommit.hasBreakingFooter(message.dropFirst(header.count))
    }

    /// §1–§5: a noun type, an optional `(scope)`, an optional `!`, then `: ` and a description.
    private static func parseHeader(_ line: Substring) -> (type: String, scope: String?, bang: Bool, description: String)? {
        var rest = line[...]
        let type = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        guard !type.isEmpty, type.first!.isLetter else { return nil }
        rest = rest.dropFirst(type.count)
        var scope: String?
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            guard !inner.isEmpty, !inner.contains("(") else { return nil }
            scope = String(inner)
            rest = rest[rest.index(after: close)...]
        }
        let bang = rest.first == "!"
        if bang { rest = rest.dropFirst() }
        guard rest.hasPrefix(": ") else { return nil }
        let description = rest.dropFirst(2).trimmingSpaces()
        guard !description.isEmpty else { return nil }
        return (String(type), scope, bang, String(description))
    }

    /// §12/§16: a footer line starting `BREAKING CHANGE: ` or `BREAKING-CHANGE: ` (upper case, as required).
    private static func hasBreakingFooter(_ rest: Substring) -> Bool {
        for line in rest.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line.hasPrefix("BREAKING CHANGE: ") || line.hasPrefix("BREAKING-CHANGE: ")
                || line.hasPrefix("BREAKING CHANGE #") || line.hasPrefix("BREAKING-CHANGE #")
            {
                return true
            }
        }
        return false
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
