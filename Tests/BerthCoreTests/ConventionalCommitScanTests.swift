import Testing

@testable import BerthCore

/// The byte scan of a header must agree with the Character reading wherever it answers alone.
@Suite("Conventional Commits: the ASCII scan agrees with the Character reading")
struct ConventionalCommitScanTests {
    /// Pieces that make headers likely to be near-misses: separators, scopes, marks that fuse with their
    /// neighbour, other scripts, spaces.
    static let pieces: [String] = [
        "feat", "Fix", "1x", "-_", "(deps)", "(", ")", "!", ":", " ", ": ", "\t", "\u{301}", "\u{200D}", "\u{93F}", "é",
        "登录", "🙂", "\u{A0}",
    ]

    @Test("every header of up to four pieces")
    func agreesOnEveryShortHeader() {
        var headers = [""]
        var decidedByBytes = 0
        var checked = 0
        for _ in 1...4 {
            headers = headers.flatMap { header in Self.pieces.map { header + $0 } }
            for header in headers {
                checked += 1
                let line = Substring(header)
                let byCharacters = ConventionalCommit.parseHeader(line)
                let scalars = header.unicodeScalars.map { "U+\(String($0.value, radix: 16))" }
                switch ConventionalCommit.scanASCIIHeader(line) {
                case .header(let found):
                    decidedByBytes += 1
                    #expect(byCharacters.map { "\($0)" } == "\(found)", "\(scalars)")
                case .notHeader:
                    decidedByBytes += 1
                    #expect(byCharacters == nil, "\(scalars)")
                case .needsCharacters:
                    break
                }
            }
        }
        #expect(checked == 19 + 19 * 19 + 19 * 19 * 19 + 19 * 19 * 19 * 19)
        // The scan must take most headers itself, or it is no fast path.
        #expect(decidedByBytes > checked / 2)
    }
}
