import Testing

@testable import BerthGit

@Suite("FieldStream: fields between separator bytes, whatever the chunks")
struct FieldStreamTests {
    static let inputs: [[UInt8]] = [
        [], [0], [0, 0], Array("sha1".utf8), Array("sha1\0feat: x\n\0sha2\0fix: y\n".utf8),
        Array("a\0\0bc\0".utf8), Array("登录\0🙂".utf8), Array("sha1 refs/tags/v1\nsha2 refs/tags/v1^{}\n".utf8),
        Array("\n\na\n".utf8),
    ]

    @Test("every input cut into chunks of every size", arguments: inputs)
    func matchesSplit(_ input: [UInt8]) {
        for separator: UInt8 in [0, 0x0A] { matchesSplit(input, at: separator) }
    }

    func matchesSplit(_ input: [UInt8], at separator: UInt8) {
        let expected = input.split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
        for size in 1...max(1, input.count) {
            var stream = FieldStream(separator: separator)
            var fields: [[UInt8]] = []
            var start = 0
            while start < input.count {
                let end = min(start + size, input.count)
                input[start..<end].withUnsafeBytes { stream.feed($0) { fields.append(Array($0)) } }
                start = end
            }
            stream.finish { fields.append(Array($0)) }
            #expect(fields == expected, "separator \(separator), chunks of \(size)")
        }
    }
}
