import Testing

@testable import BerthGit

@Suite("NULFieldStream: fields between NUL bytes, whatever the chunks")
struct NULFieldStreamTests {
    static let inputs: [[UInt8]] = [
        [], [0], [0, 0], Array("sha1".utf8), Array("sha1\0feat: x\n\0sha2\0fix: y\n".utf8),
        Array("a\0\0bc\0".utf8), Array("登录\0🙂".utf8),
    ]

    @Test("every input cut into chunks of every size", arguments: inputs)
    func matchesSplit(_ input: [UInt8]) {
        let expected = input.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
        for size in 1...max(1, input.count) {
            var stream = NULFieldStream()
            var fields: [[UInt8]] = []
            var start = 0
            while start < input.count {
                let end = min(start + size, input.count)
                input[start..<end].withUnsafeBytes { stream.feed($0) { fields.append(Array($0)) } }
                start = end
            }
            stream.finish { fields.append(Array($0)) }
            #expect(fields == expected, "chunks of \(size)")
        }
    }
}
