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
        // The first line ends at LF or CR (a CRLF message's header stops before its CR).
        let end = message.utf8.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? message.endIndex
        let header = message[..<end]
        let parsed: Header?
        switch ConventionalCommit.scanASCIIHeader(header) {
        case .header(let found): parsed = found
        case .notHeader: parsed = nil
        case .needsCharacters: parsed = ConventionalCommit.parseHeader(header)
        }
        guard let parsed else { return nil }
        type = parsed.type.lowercased()
        scope = parsed.scope
        description = parsed.description
        isBreaking = parsed.bang || ConventionalCommit.hasBreakingFooter(message[end...])
    }

    typealias Header = (type: String, scope: String?, bang: Bool, description: String)

    enum HeaderScan {
        case header(Header)
        case notHeader
        /// A byte outside ASCII where grapheme clusters could change the answer.
        case needsCharacters
    }

    /// The header read as bytes, as `parseHeader` reads it as Characters, while it is ASCII up to the
    /// description: thousands of commits since a release made Character iteration a visible share of
    /// `berth plan` (scripts/bench-plan.sh). A description in any script stays on this path.
    static func scanASCIIHeader(_ line: Substring) -> HeaderScan {
        let bytes = line.utf8
        var index = bytes.startIndex
        func byte(at i: Substring.UTF8View.Index) -> UInt8? { i < bytes.endIndex ? bytes[i] : nil }
        func isTypeByte(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
        }
        while let b = byte(at: index), isTypeByte(b) { index = bytes.index(after: index) }
        if let b = byte(at: index), b >= 0x80 { return .needsCharacters }
        guard index > bytes.startIndex else { return .notHeader }
        let first = bytes[bytes.startIndex]
        guard (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) else { return .notHeader }
        let type = String(line[line.startIndex..<index])
        var scope: String?
        if byte(at: index) == 0x28 {  // (
            let open = bytes.index(after: index)
            var close = open
            while let b = byte(at: close), b != 0x29 {  // )
                if b >= 0x80 { return .needsCharacters }
                close = bytes.index(after: close)
            }
            guard close < bytes.endIndex else { return .notHeader }
            let inner = line[open..<close]
            guard !inner.isEmpty, !inner.utf8.contains(0x28) else { return .notHeader }
            scope = String(inner)
            index = bytes.index(after: close)
            if let b = byte(at: index), b >= 0x80 { return .needsCharacters }
        }
        let bang = byte(at: index) == 0x21  // !
        if bang {
            index = bytes.index(after: index)
            if let b = byte(at: index), b >= 0x80 { return .needsCharacters }
        }
        guard byte(at: index) == 0x3A else { return .notHeader }  // :
        index = bytes.index(after: index)
        guard byte(at: index) == 0x20 else {
            return (byte(at: index) ?? 0) >= 0x80 ? .needsCharacters : .notHeader
        }
        index = bytes.index(after: index)
        let rest = line[index...]
        // A mark or joiner right after the space would fuse with it into one Character.
        if let scalar = rest.unicodeScalars.first, scalar.value >= 0x80,
            scalar.properties.isGraphemeExtend || scalar.properties.generalCategory == .spacingMark || scalar.value == 0x200D
        {
            return .needsCharacters
        }
        let description = rest.trimmingSpaces()
        guard !description.isEmpty else { return .notHeader }
        return .header((type, scope, bang, String(description)))
    }

    /// §1–§5: a noun type, an optional `(scope)`, an optional `!`, then `: ` and a description.
    static func parseHeader(_ line: Substring) -> Header? {
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

    /// §12/§16: a footer line starting `BREAKING CHANGE: ` or `BREAKING-CHANGE: ` (upper case, as
    /// required), also `#` as the separator; lines end at LF, CR or CRLF.
    private static func hasBreakingFooter(_ rest: Substring) -> Bool {
        let bytes = rest.utf8
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex { $0 == 0x0A || $0 == 0x0D } ?? bytes.endIndex
            if isBreakingFooter(bytes[start..<end]) { return true }
            start = end < bytes.endIndex ? bytes.index(after: end) : end
        }
        return false
    }

    private static let breakingTokens = [Array("BREAKING CHANGE".utf8), Array("BREAKING-CHANGE".utf8)]

    private static func isBreakingFooter(_ line: Substring.UTF8View.SubSequence) -> Bool {
        guard line.first == 0x42 else { return false }  // B: the common case leaves at once
        for token in breakingTokens where line.starts(with: token) {
            let after = line.dropFirst(token.count)
            if after.starts(with: [0x3A, 0x20]) || after.starts(with: [0x20, 0x23]) { return true }  // ": " or " #"
        }
        return false
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        // Most text starts and ends with a visible ASCII character: nothing to trim, no Character read.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return self
        }
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
