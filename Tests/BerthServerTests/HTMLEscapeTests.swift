import Testing

@testable import BerthServer

/// Every ledger value reaches a page through `HTML.escape`.
@Suite("HTML.escape")
struct HTMLEscapeTests {
    @Test(
        "the five characters become references, whatever follows them",
        arguments: [
            ("plain 登录 text", "plain 登录 text"),
            ("a & b", "a &amp; b"),
            ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            ("\" onmouseover=x", "&quot; onmouseover=x"),
            // A combining mark makes one Character of a quote and itself: still escaped.
            ("\"\u{301} onmouseover=x", "&quot;\u{301} onmouseover=x"),
            ("'\u{20DD}<\u{301}>", "&#39;\u{20DD}&lt;\u{301}&gt;"),
            ("", ""),
        ])
    func escapes(_ input: String, _ expected: String) {
        #expect(HTML.escape(input) == expected)
        #expect(!HTML.escape(input).unicodeScalars.contains { "\"'<>".unicodeScalars.contains($0) })
    }
}
