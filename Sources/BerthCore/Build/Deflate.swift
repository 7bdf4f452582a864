/// DEFLATE (RFC 1951) implemented by berth, so a layer's compressed bytes depend only on its content and
/// this code — never on the version of the system's zlib, whose output changes between releases.
///
/// Input is cut into fixed segments compressed independently (each primed with the 32 KiB before it, the
/// way pigz does), so segments can run in parallel and the output is the same whatever the parallelism.
/// Each segment: greedy-lazy LZ77 over hash chains, then per block the cheapest of stored, fixed and
/// dynamic Huffman codes (lengths limited to 15 bits, canonical codes).
public enum Deflate {
    /// The size of an independently compressed segment.
    public static let segmentSize = 1 << 20

    /// The segments of `count` input bytes, in order.
    public static func segments(count: Int) -> [Range<Int>] {
        if count == 0 { return [0..<0] }
        return stride(from: 0, to: count, by: segmentSize).map { $0..<min($0 + segmentSize, count) }
    }

    /// Compresses all of `input` as one raw DEFLATE stream, segment after segment.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { buffer in
            let ranges = segments(count: buffer.count)
            var out: [UInt8] = []
            for (index, range) in ranges.enumerated() {
                out += compressSegment(buffer, range: range, isLast: index == ranges.count - 1)
            }
            return out
        }
    }

    /// Compresses `input[range]`. The last segment ends the stream (BFINAL); the others end on a byte
    /// boundary with an empty stored block, so the segments' outputs concatenate into one valid stream.
    public static func compressSegment(_ input: UnsafeBufferPointer<UInt8>, range: Range<Int>, isLast: Bool) -> [UInt8] {
        var encoder = SegmentEncoder(input: input, range: range)
        encoder.run(isLast: isLast)
        return encoder.writer.bytes
    }
}

// MARK: - LZ77

private let windowSize = 32768
private let windowMask = windowSize - 1
private let hashBits = 15
private let minMatch = 3
private let maxMatch = 258
/// Longest hash chain followed (zlib level 6 follows 128; 48 keeps most of the gain at a third of the time).
private let maxChain = 48
/// A match this long stops the search.
private let niceLength = 128
/// A match this long is taken without looking for a longer one at the next byte.
private let goodLazyLength = 32
/// Tokens per block before its codes are built.
private let tokensPerBlock = 1 << 15

private struct SegmentEncoder {
    let input: UnsafeBufferPointer<UInt8>
    let range: Range<Int>
    var writer = BitWriter()
    var tokens: [UInt32] = []
    var blockStart: Int

    init(input: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.input = input
        self.range = range
        self.blockStart = range.lowerBound
        tokens.reserveCapacity(tokensPerBlock)
        writer.bytes.reserveCapacity(range.count / 2 + 64)
    }

    mutating func run(isLast: Bool) {
        let head = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 1 << hashBits)
        let prev = UnsafeMutableBufferPointer<Int32>.allocate(capacity: windowSize)
        defer {
            head.deallocate()
            prev.deallocate()
        }
        head.initialize(repeating: -1)
        prev.initialize(repeating: -1)
        let lower = range.lowerBound
        let upper = range.upperBound
        let data = input

        @inline(__always) func hash(_ position: Int) -> Int {
            let value = UInt32(data[position]) << 16 | UInt32(data[position + 1]) << 8 | UInt32(data[position + 2])
            return Int((value &* 2_654_435_761) >> UInt32(32 - hashBits))
        }
        @inline(__always) func insert(_ position: Int) -> Int32 {
            let bucket = hash(position)
            let previous = head[bucket]
            prev[position & windowMask] = previous
            head[bucket] = Int32(position)
            return previous
        }
        // The dictionary: the window before this segment, hashed but not emitted.
        var position = max(0, lower - windowSize)
        while position < lower {
            if upper - position >= minMatch { _ = insert(position) }
            position += 1
        }

        func longestMatch(at position: Int, candidate first: Int32, atLeast floor: Int) -> (length: Int, distance: Int) {
            let limit = min(maxMatch, upper - position)
            var best = floor
            var bestDistance = 0
            var candidate = Int(first)
            var chain = maxChain
            while candidate >= 0, candidate < position, position - candidate < windowSize, chain > 0 {
                if data[candidate + best] == data[position + best] && data[candidate] == data[position] {
                    var length = 0
                    while length < limit && data[candidate + length] == data[position + length] { length += 1 }
                    if length > best {
                        best = length
                        bestDistance = position - candidate
                        if length >= min(niceLength, limit) { break }
                    }
                }
                let next = Int(prev[candidate & windowMask])
                if next >= candidate { break }
                candidate = next
                chain -= 1
            }
            return bestDistance == 0 ? (0, 0) : (best, bestDistance)
        }

        var previousLength = 0
        var previousDistance = 0
        var literalPending = false
        position = lower
        while position < upper {
            var length = 0
            var distance = 0
            if upper - position >= minMatch {
                let candidate = insert(position)
                if previousLength < goodLazyLength && candidate >= 0 {
                    let floor = max(minMatch - 1, previousLength)
                    if floor < min(maxMatch, upper - position) {
                        (length, distance) = longestMatch(at: position, candidate: candidate, atLeast: floor)
                    }
                }
            }
            if previousLength >= minMatch && length <= previousLength {
                emitMatch(length: previousLength, distance: previousDistance, endingAt: position - 1 + previousLength)
                let stop = position - 1 + previousLength
                position += 1
                while position < stop {
                    if upper - position >= minMatch { _ = insert(position) }
                    position += 1
                }
                literalPending = false
                previousLength = 0
            } else {
                if literalPending { emitLiteral(at: position - 1) }
                literalPending = true
                previousLength = length
                previousDistance = distance
                position += 1
            }
        }
        if literalPending { emitLiteral(at: position - 1) }
        flushBlock(endingAt: upper, final: isLast)
        if isLast {
            writer.alignToByte()
        } else {
            // An empty stored block: the segment ends on a byte boundary (a "sync flush").
            writer.write(0, 3)
            writer.alignToByte()
            writer.appendBytes([0, 0, 0xFF, 0xFF])
        }
    }

    @inline(__always) mutating func emitLiteral(at position: Int) {
        tokens.append(UInt32(input[position]))
        if tokens.count >= tokensPerBlock { flushBlock(endingAt: position + 1, final: false) }
    }

    @inline(__always) mutating func emitMatch(length: Int, distance: Int, endingAt end: Int) {
        tokens.append(0x8000_0000 | UInt32(length - minMatch) << 16 | UInt32(distance - 1))
        if tokens.count >= tokensPerBlock { flushBlock(endingAt: end, final: false) }
    }

    // MARK: Blocks

    mutating func flushBlock(endingAt end: Int, final: Bool) {
        var literalFrequencies = [Int](repeating: 0, count: 286)
        var distanceFrequencies = [Int](repeating: 0, count: 30)
        var extraBits = 0
        for token in tokens {
            if token & 0x8000_0000 == 0 {
                literalFrequencies[Int(token)] += 1
            } else {
                let lengthCode = DeflateTables.lengthCode[Int((token >> 16) & 0x1FF)]
                let distanceCode = DeflateTables.distanceCode(Int(token & 0xFFFF))
                literalFrequencies[257 + lengthCode] += 1
                distanceFrequencies[distanceCode] += 1
                extraBits += DeflateTables.lengthExtra[lengthCode] + DeflateTables.distanceExtra[distanceCode]
            }
        }
        literalFrequencies[256] = 1

        let dynamic = DynamicHeader(literalFrequencies: literalFrequencies, distanceFrequencies: distanceFrequencies)
        let dynamicBits =
            3 + dynamic.headerBits + extraBits + cost(literalFrequencies, dynamic.literalLengths)
            + cost(distanceFrequencies, dynamic.distanceLengths)
        let fixedBits =
            3 + extraBits + cost(literalFrequencies, DeflateTables.fixedLiteralLengths)
            + cost(distanceFrequencies, DeflateTables.fixedDistanceLengths)
        let rawCount = end - blockStart
        // Stored: header, padding to a byte (up to 7), LEN/NLEN, the bytes; one block per 65,535 bytes.
        let storedBits = rawCount * 8 + max(1, (rawCount + 65534) / 65535) * (3 + 7 + 32)

        if storedBits < min(dynamicBits, fixedBits) {
            writeStored(from: blockStart, to: end, final: final)
        } else if fixedBits <= dynamicBits {
            writer.write(final ? 1 : 0, 1)
            writer.write(1, 2)
            writeTokens(
                literal: HuffmanCode(lengths: DeflateTables.fixedLiteralLengths),
                distance: HuffmanCode(lengths: DeflateTables.fixedDistanceLengths)
            )
        } else {
            writer.write(final ? 1 : 0, 1)
            writer.write(2, 2)
            dynamic.write(to: &writer)
            writeTokens(
                literal: HuffmanCode(lengths: dynamic.literalLengths),
                distance: HuffmanCode(lengths: dynamic.distanceLengths)
            )
        }
        tokens.removeAll(keepingCapacity: true)
        blockStart = end
    }

    private func cost(_ frequencies: [Int], _ lengths: [UInt8]) -> Int {
        var bits = 0
        for index in frequencies.indices where frequencies[index] > 0 { bits += frequencies[index] * Int(lengths[index]) }
        return bits
    }

    private mutating func writeStored(from start: Int, to end: Int, final: Bool) {
        var offset = start
        repeat {
            let count = min(65535, end - offset)
            let last = offset + count == end
            writer.write(final && last ? 1 : 0, 1)
            writer.write(0, 2)
            writer.alignToByte()
            writer.appendBytes([UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)])
            writer.appendBytes(UnsafeBufferPointer(rebasing: input[offset..<offset + count]))
            offset += count
        } while offset < end
    }

    private mutating func writeTokens(literal: HuffmanCode, distance: HuffmanCode) {
        for token in tokens {
            if token & 0x8000_0000 == 0 {
                literal.write(Int(token), to: &writer)
                continue
            }
            let lengthOffset = Int((token >> 16) & 0x1FF)
            let lengthCode = DeflateTables.lengthCode[lengthOffset]
            literal.write(257 + lengthCode, to: &writer)
            let lengthExtra = DeflateTables.lengthExtra[lengthCode]
            if lengthExtra > 0 {
                writer.write(UInt32(lengthOffset + minMatch - DeflateTables.lengthBase[lengthCode]), lengthExtra)
            }
            let distanceOffset = Int(token & 0xFFFF)
            let distanceCode = DeflateTables.distanceCode(distanceOffset)
            distance.write(distanceCode, to: &writer)
            let distanceExtra = DeflateTables.distanceExtra[distanceCode]
            if distanceExtra > 0 {
                writer.write(UInt32(distanceOffset + 1 - DeflateTables.distanceBase[distanceCode]), distanceExtra)
            }
        }
        literal.write(256, to: &writer)
    }
}

// MARK: - Bits and codes

/// Writes bits least-significant first, as DEFLATE packs them (RFC 1951 §3.1.1).
struct BitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    @inline(__always) mutating func write(_ value: UInt32, _ bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    mutating func alignToByte() {
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        count = 0
    }

    /// Appends whole bytes; only valid on a byte boundary.
    mutating func appendBytes<C: Collection<UInt8>>(_ more: C) { bytes.append(contentsOf: more) }
}

/// Canonical Huffman codes from code lengths (RFC 1951 §3.2.2), stored bit-reversed for the writer.
struct HuffmanCode {
    let codes: [UInt32]
    let lengths: [UInt8]

    init(lengths: [UInt8]) {
        self.lengths = lengths
        var lengthCounts = [Int](repeating: 0, count: 16)
        for length in lengths where length > 0 { lengthCounts[Int(length)] += 1 }
        var nextCode = [UInt32](repeating: 0, count: 16)
        var code: UInt32 = 0
        for bits in 1..<16 {
            code = (code + UInt32(lengthCounts[bits - 1])) << 1
            nextCode[bits] = code
        }
        var codes = [UInt32](repeating: 0, count: lengths.count)
        for symbol in lengths.indices where lengths[symbol] > 0 {
            let length = Int(lengths[symbol])
            var value = nextCode[length]
            nextCode[length] += 1
            var reversed: UInt32 = 0
            for _ in 0..<length {
                reversed = reversed << 1 | (value & 1)
                value >>= 1
            }
            codes[symbol] = reversed
        }
        self.codes = codes
    }

    @inline(__always) func write(_ symbol: Int, to writer: inout BitWriter) {
        writer.write(codes[symbol], Int(lengths[symbol]))
    }

    /// Optimal code lengths for `frequencies`, none longer than `limit`; deterministic (ties by symbol).
    static func lengths(for frequencies: [Int], limit: Int) -> [UInt8] {
        var used = frequencies.indices.filter { frequencies[$0] > 0 }
        var lengths = [UInt8](repeating: 0, count: frequencies.count)
        // A code needs two symbols to be complete; pad with the lowest unused ones.
        var filler = 0
        while used.count < 2 {
            while used.contains(filler) { filler += 1 }
            used.append(filler)
            filler += 1
        }
        let weight = { (symbol: Int) in max(frequencies[symbol], 1) }
        used.sort { weight($0) != weight($1) ? weight($0) < weight($1) : $0 < $1 }

        // Huffman's algorithm with two queues: sorted leaves, and internal nodes in creation order.
        var nodeWeight = used.map(weight)
        var parent = [Int](repeating: -1, count: used.count * 2)
        var leaf = 0
        var internalQueue: [Int] = []
        var internalHead = 0
        func takeSmallest() -> Int {
            if leaf < used.count
                && (internalHead == internalQueue.count || nodeWeight[leaf] <= nodeWeight[internalQueue[internalHead]])
            {
                leaf += 1
                return leaf - 1
            }
            internalHead += 1
            return internalQueue[internalHead - 1]
        }
        for _ in 0..<(used.count - 1) {
            let first = takeSmallest()
            let second = takeSmallest()
            let node = nodeWeight.count
            nodeWeight.append(nodeWeight[first] + nodeWeight[second])
            parent[first] = node
            parent[second] = node
            internalQueue.append(node)
        }
        var depthCounts = [Int](repeating: 0, count: used.count + 1)
        var depth = [Int](repeating: 0, count: nodeWeight.count)
        for node in stride(from: nodeWeight.count - 2, through: 0, by: -1) {
            depth[node] = depth[parent[node]] + 1
            if node < used.count { depthCounts[depth[node]] += 1 }
        }
        // Limit the lengths keeping the code complete (JPEG, ITU T.81 Annex K.3 "Adjust_BITS").
        var maxDepth = depthCounts.count - 1
        while maxDepth > 0 && depthCounts[maxDepth] == 0 { maxDepth -= 1 }
        if maxDepth > limit {
            for bits in stride(from: maxDepth, to: limit, by: -1) {
                while depthCounts[bits] > 0 {
                    var shorter = bits - 2
                    while depthCounts[shorter] == 0 { shorter -= 1 }
                    depthCounts[bits] -= 2
                    depthCounts[bits - 1] += 1
                    depthCounts[shorter + 1] += 2
                    depthCounts[shorter] -= 1
                }
            }
        }
        // The most frequent symbols get the shortest codes.
        var symbolIndex = used.count - 1
        for bits in 1...min(maxDepth, limit) {
            for _ in 0..<depthCounts[bits] {
                lengths[used[symbolIndex]] = UInt8(bits)
                symbolIndex -= 1
            }
        }
        return lengths
    }
}

/// The code lengths of a dynamic block and their run-length encoded header (RFC 1951 §3.2.7).
private struct DynamicHeader {
    let literalLengths: [UInt8]
    let distanceLengths: [UInt8]
    let literalCount: Int
    let distanceCount: Int
    /// Run-length symbols (0–18) with their extra-bit values.
    let runs: [(symbol: Int, extra: UInt32)]
    let codeLengthLengths: [UInt8]
    let codeLengthCount: Int
    let headerBits: Int

    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    init(literalFrequencies: [Int], distanceFrequencies: [Int]) {
        literalLengths = HuffmanCode.lengths(for: literalFrequencies, limit: 15)
        distanceLengths = HuffmanCode.lengths(for: distanceFrequencies, limit: 15)
        var literalCount = 286
        while literalCount > 257 && literalLengths[literalCount - 1] == 0 { literalCount -= 1 }
        var distanceCount = 30
        while distanceCount > 1 && distanceLengths[distanceCount - 1] == 0 { distanceCount -= 1 }
        self.literalCount = literalCount
        self.distanceCount = distanceCount

        let sequence = Array(literalLengths[0..<literalCount]) + Array(distanceLengths[0..<distanceCount])
        var runs: [(symbol: Int, extra: UInt32)] = []
        var index = 0
        while index < sequence.count {
            let value = sequence[index]
            var runLength = 1
            while index + runLength < sequence.count && sequence[index + runLength] == value { runLength += 1 }
            index += runLength
            if value == 0 {
                while runLength >= 11 {
                    let take = min(runLength, 138)
                    runs.append((18, UInt32(take - 11)))
                    runLength -= take
                }
                if runLength >= 3 {
                    runs.append((17, UInt32(runLength - 3)))
                    runLength = 0
                }
            } else {
                runs.append((Int(value), 0))
                runLength -= 1
                while runLength >= 3 {
                    let take = min(runLength, 6)
                    runs.append((16, UInt32(take - 3)))
                    runLength -= take
                }
            }
            for _ in 0..<runLength { runs.append((Int(value), 0)) }
        }
        self.runs = runs

        var frequencies = [Int](repeating: 0, count: 19)
        for run in runs { frequencies[run.symbol] += 1 }
        codeLengthLengths = HuffmanCode.lengths(for: frequencies, limit: 7)
        var codeLengthCount = 19
        while codeLengthCount > 4 && codeLengthLengths[Self.codeLengthOrder[codeLengthCount - 1]] == 0 {
            codeLengthCount -= 1
        }
        self.codeLengthCount = codeLengthCount
        var bits = 5 + 5 + 4 + 3 * codeLengthCount
        for run in runs {
            bits += Int(codeLengthLengths[run.symbol])
            bits += run.symbol == 16 ? 2 : run.symbol == 17 ? 3 : run.symbol == 18 ? 7 : 0
        }
        headerBits = bits
    }

    func write(to writer: inout BitWriter) {
        writer.write(UInt32(literalCount - 257), 5)
        writer.write(UInt32(distanceCount - 1), 5)
        writer.write(UInt32(codeLengthCount - 4), 4)
        for index in 0..<codeLengthCount { writer.write(UInt32(codeLengthLengths[Self.codeLengthOrder[index]]), 3) }
        let code = HuffmanCode(lengths: codeLengthLengths)
        for run in runs {
            code.write(run.symbol, to: &writer)
            switch run.symbol {
            case 16: writer.write(run.extra, 2)
            case 17: writer.write(run.extra, 3)
            case 18: writer.write(run.extra, 7)
            default: break
            }
        }
    }
}

/// The fixed tables of RFC 1951 §3.2.5.
private enum DeflateTables {
    static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Length code (0–28) of `length - 3`.
    static let lengthCode: [Int] = (0...255).map { offset in
        let length = offset + 3
        return (lengthBase.lastIndex { $0 <= length })!
    }

    /// Distance code of `distance - 1`, for the small half and, shifted by 7, the large half (as zlib does).
    private static let distanceCodes: [Int] = (0..<512).map { index in
        let distance = index < 256 ? index + 1 : ((index - 256) << 7) + 1
        return (distanceBase.lastIndex { $0 <= distance })!
    }

    @inline(__always) static func distanceCode(_ offset: Int) -> Int {
        offset < 256 ? distanceCodes[offset] : distanceCodes[256 + (offset >> 7)]
    }

    static let fixedLiteralLengths: [UInt8] = (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 }
    static let fixedDistanceLengths = [UInt8](repeating: 5, count: 30)
}
