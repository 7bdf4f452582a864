import BerthOCI

/// An address or a CIDR block of peers `berth serve` trusts (`--trusted-proxy 10.0.0.5`, `10.1.0.0/16`,
/// `fd00::/8`): the TCP peer's address is matched, never a header's.
public struct NetworkRange: Hashable, Sendable, CustomStringConvertible {
    /// The network's address bytes (4 for IPv4, 16 for IPv6), host bits cleared.
    public let bytes: [UInt8]
    /// How many leading bits must match (0–32 or 0–128).
    public let prefix: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX` (IPv4 dotted-decimal, IPv6 RFC 4291 text without brackets or zone);
    /// nil for anything else, or host bits set after the prefix (`10.0.0.1/8`: say 10.0.0.0/8).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.addressBytes(String(parts[0])) else { return nil }
        let length = address.count * 8
        var prefix = length
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(digits), value <= length, digits == "0" || !digits.hasPrefix("0")
            else { return nil }
            prefix = value
        }
        let masked = Self.mask(address, prefix: prefix)
        guard masked == address else { return nil }
        bytes = masked
        self.prefix = prefix
    }

    /// Whether it is every address (`0.0.0.0/0`, `::/0`).
    public var isEverything: Bool { prefix == 0 }

    /// Whether the peer address `address` (as the socket reports it: `10.0.0.5`, `::1`, `::ffff:10.0.0.5`)
    /// is in it; false for anything that is not an address.
    public func contains(_ address: String) -> Bool {
        guard var peer = Self.addressBytes(address) else { return false }
        // An IPv4 client of a socket bound to `::` is reported as an IPv4-mapped IPv6 address.
        if bytes.count == 4, peer.count == 16, peer.prefix(12) == Self.mappedPrefix[...] { peer = Array(peer.suffix(4)) }
        guard peer.count == bytes.count else { return false }
        return Self.mask(peer, prefix: prefix) == bytes
    }

    public var description: String {
        let address: String
        if bytes.count == 4 {
            address = bytes.map(String.init).joined(separator: ".")
        } else {
            address = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
        return prefix == bytes.count * 8 ? address : "\(address)/\(prefix)"
    }

    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]

    /// An address's bytes, through the same parser as registry hosts; an IPv4-mapped IPv6 address in
    /// dotted form (`::ffff:10.0.0.5`) too.
    static func addressBytes(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.count <= 64, !text.contains("["), !text.contains("%") else { return nil }
        if text.contains(":") {
            let lower = text.lowercased()
            if lower.hasPrefix("::ffff:"), lower.contains("."), let v4 = addressBytes(String(lower.dropFirst(7))),
                v4.count == 4
            {
                return mappedPrefix + v4
            }
            guard let host = RegistryHost("[\(text)]"), case .ipv6(let groups) = host.address, groups.count == 8 else {
                return nil
            }
            return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
        }
        guard let host = RegistryHost(text), case .ipv4(let octets) = host.address, octets.count == 4 else { return nil }
        return octets
    }

    private static func mask(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        bytes.indices.map { index in
            let bits = min(8, max(0, prefix - index * 8))
            return bits == 8 ? bytes[index] : bytes[index] & ~(UInt8(0xff) >> bits)
        }
    }
}
