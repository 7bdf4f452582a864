/// Text for pages: everything from the ledger or a request passes through `escape` before it is written.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` as character references (safe in elements and quoted attributes).
    ///
    /// Byte by byte: every one of them is ASCII, and a combining mark after a quote (`"\u{301}`) makes one
    /// Character of the two, which a Character comparison would let through unescaped. Text with none of
    /// them, most of a board, is returned as it is.
    static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case 0x26: result += Array("&amp;".utf8)
            case 0x3C: result += Array("&lt;".utf8)
            case 0x3E: result += Array("&gt;".utf8)
            case 0x22: result += Array("&quot;".utf8)
            case 0x27: result += Array("&#39;".utf8)
            default: result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Input echoed in a message: at most 80 characters, control characters as `?`.
    static func bounded(_ text: String) -> String {
        String(text.prefix(80).unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }

    /// `sha256:0123456789ab…`.
    static func shortDigest(_ digest: String) -> String {
        digest.count > 19 ? String(digest.prefix(19)) + "…" : digest
    }

    /// `42 s`, `12 min`, `3 h`, `2 d`.
    static func age(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: "\(seconds) s"
        case ..<3600: "\(seconds / 60) min"
        case ..<86_400: "\(seconds / 3600) h"
        default: "\(seconds / 86_400) d"
        }
    }
}
