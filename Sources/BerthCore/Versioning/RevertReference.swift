/// The commit a revert commit says it reverts, read as semantic-release's commit analyzer reads it.
///
/// The pattern is conventional-changelog-angular's `revertPattern` (the analyzer's default parser): the
/// message starts with `Revert` or `revert:` (any case) and a space, then the reverted header, optionally
/// in double quotes, then `This reverts commit <hash>` with a 7–40 character hash — what `git revert`
/// writes (`Revert "feat: x"` … `This reverts commit 1a2b3c….`).
public struct RevertReference: Hashable, Sendable {
    /// The reverted commit's header (first line), trimmed.
    public let header: String
    /// The hash as the message gives it.
    public let hash: String

    public init(header: String, hash: String) {
        self.header = header
        self.hash = hash
    }

    /// Reads `message`; nil when it isn't a revert in that form.
    public init?(message: String) {
        // Most messages are no revert: decide on the first bytes before reading the message as characters.
        guard message.utf8.prefix(6).map({ $0 | 0x20 }).elementsEqual("revert".utf8) else { return nil }
        let text = Array(message)
        var start: Int
        if Self.hasPrefix(text, "revert:", at: 0), text.count > 7, text[7].isWhitespace {
            start = 8
        } else if Self.hasPrefix(text, "revert", at: 0), text.count > 6, text[6].isWhitespace {
            start = 7
        } else {
            return nil
        }
        if start < text.count, text[start] == "\"" { start += 1 }
        let phrase = "this reverts commit "
        var index = start + 1
        while index + phrase.count <= text.count {
            defer { index += 1 }
            guard Self.hasPrefix(text, phrase, at: index) else { continue }
            let hashStart = index + phrase.count
            var hashEnd = hashStart
            while hashEnd < text.count, Self.isWordCharacter(text[hashEnd]) { hashEnd += 1 }
            guard (7...40).contains(hashEnd - hashStart) else { continue }
            // The header ends before `"?\s*`, the earliest such point: back over spaces, then one quote.
            var end = index
            while end > start + 1, text[end - 1].isWhitespace { end -= 1 }
            if end > start + 1, text[end - 1] == "\"" { end -= 1 }
            header = String(text[start..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
            hash = String(text[hashStart..<hashEnd])
            return
        }
        return nil
    }

    /// Whether `commit` is the one reverted: the same header (trimmed), and a hash that is its SHA or
    /// (berth reads abbreviations too) a prefix of it.
    public func names(_ commit: GitCommit) -> Bool {
        guard commit.subject.trimmingCharacters(in: .whitespacesAndNewlines) == header else { return false }
        return commit.sha.lowercased().hasPrefix(hash.lowercased())
    }

    private static func hasPrefix(_ text: [Character], _ prefix: String, at index: Int) -> Bool {
        guard index + prefix.count <= text.count else { return false }
        return zip(text[index...], prefix).allSatisfy { $0.lowercased() == String($1) }
    }

    /// JavaScript's `\w` without the `u` flag: ASCII letters, digits and `_`.
    private static func isWordCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii == 95 || (48...57).contains(ascii) || (65...90).contains(ascii) || (97...122).contains(ascii)
    }
}
