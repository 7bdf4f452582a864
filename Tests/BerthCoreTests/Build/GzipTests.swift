import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// berth's DEFLATE must be readable by the real gzip, and its bytes must never drift.
struct GzipTests {
    /// Deterministic pseudo-random bytes (xorshift), so the inputs are the same on every machine.
    static func noise(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static let inputs: [(name: String, bytes: [UInt8])] = {
        let text = Array(String(repeating: "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", count: 3000).utf8)
        var runs: [UInt8] = []
        for index in 0..<300_000 {
            let bump = index % 3 == 0 ? 1 : 0
            runs.append(UInt8((index / 1000) % 7 + bump))
        }
        var mixed: [UInt8] = noise(40_000)
        mixed += [UInt8](repeating: 7, count: 70_000)
        mixed += noise(30_000, seed: 7)
        mixed += Array(String(repeating: "abcabcabd", count: 130_000).utf8)
        return [
            ("empty", []),
            ("one byte", [42]),
            ("zeros across segments", [UInt8](repeating: 0, count: Deflate.segmentSize * 2 + 17)),
            ("random (stored blocks)", noise(200_000)),
            ("text", text),
            ("long runs and short repeats", runs),
            ("mixed, segment boundary", mixed),
        ]
    }()

    @Test("gzip -d restores every input exactly", arguments: 0..<inputs.count)
    func roundTrip(index: Int) throws {
        let (name, input) = Self.inputs[index]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let packed = directory.appendingPathComponent("in.gz")
        try Data(Gzip.compress(input)).write(to: packed)
        let result = try Shell.run("/bin/sh", ["-c", "gzip -t in.gz && gzip -dc in.gz > out"], directory: directory.path)
        #expect(result.status == 0, "\(name): \(result.stderr)")
        let restored = try Data(contentsOf: directory.appendingPathComponent("out"))
        #expect(restored == Data(input), "\(name): \(restored.count) bytes back of \(input.count)")
    }

    @Test("compressible input gets smaller, incompressible grows by at most 5 bytes per 32 KiB block")
    func ratio() {
        let text = Self.inputs[4].bytes
        #expect(Gzip.compress(text).count < text.count / 20)
        let random = Self.inputs[3].bytes
        #expect(Gzip.compress(random).count <= random.count + 18 + 5 * (random.count / 32768 + 2))
    }

    @Test("the compressed bytes of a fixed input never change (pinned digest)")
    func pinned() {
        let input = Self.inputs[6].bytes
        let digest = Digest.sha256(of: Data(Gzip.compress(input)))
        #expect(digest.description == "sha256:6a1eab001540c087356e8fb69df778ca3e1f5a51632261ff98d712fcbeaeff52")
    }

    @Test("segments compressed separately concatenate into the same stream as one pass")
    func segmentsAreIndependent() {
        let input = Self.inputs[6].bytes
        let joined = input.withUnsafeBufferPointer { buffer in
            let ranges = Deflate.segments(count: buffer.count)
            // Reverse order: a segment's output depends only on the input, not on what ran before it.
            return ranges.enumerated().reversed().map {
                Deflate.compressSegment(buffer, range: $1, isLast: $0 == ranges.count - 1)
            }
            .reversed().flatMap { $0 }
        }
        #expect(joined == Deflate.compress(input))
    }
}
