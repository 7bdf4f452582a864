/// The gzip container (RFC 1952) around berth's own DEFLATE, with a header that carries nothing that
/// varies: no file name, modification time 0, OS "unknown" — the same input always gives the same bytes.
public enum Gzip {
    /// Compresses `input` in one pass.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        wrap(deflated: Deflate.compress(input), checksum: CRC32.checksum(input), count: input.count)
    }

    /// A gzip member around an already deflated stream of `count` bytes whose CRC-32 is `checksum`.
    public static func wrap(deflated: [UInt8], checksum: UInt32, count: Int) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        out.reserveCapacity(deflated.count + 18)
        out += deflated
        let size = UInt32(truncatingIfNeeded: count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }
}
