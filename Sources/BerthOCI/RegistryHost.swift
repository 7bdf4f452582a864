/// A registry's address as image references write it: `host[:port]`.
///
/// - The host is a DNS name of RFC 1123 labels (1–63 letters, digits and '-', neither first nor last a
///   '-'; 253 characters in all), an IPv4 address in dotted-decimal (four octets 0–255, no leading
///   zeros), or an IPv6 address in brackets (`[::1]`, RFC 4291 text, no zone). A name whose last label
///   is all digits must be an IPv4 address (RFC 1123 §2.1), so `127.1` and `2130706433`, which the
///   resolver would read as 127.0.0.1, are refused rather than guessed at.
/// - The port is 1–65535 in decimal digits without a leading zero: no sign, no exponent, not empty.
///
/// `isLoopback` is decided on the address, never on how a name is spelled: 127.0.0.0/8, `::1`, and the
/// name `localhost`. RFC 6761 §6.3 reserves `localhost` for the loopback interface and has resolvers
/// answer it with a loopback address, and Docker treats it as loopback too, so berth does; names under
/// it (`api.localhost`) and names that merely start with `127.` (`127.example.test`) are not loopback.
public struct RegistryHost: Hashable, Sendable, CustomStringConvertible {
    public enum Address: Hashable, Sendable {
        /// A DNS name, as written.
        case name(String)
        /// An IPv4 address: four octets.
        case ipv4([UInt8])
        /// An IPv6 address: eight groups.
        case ipv6([UInt16])
    }

    /// The host as written (`registry.example:5000`, `[::1]:5000`).
    public let text: String
    public let address: Address
    /// The port, when one is written.
    public let port: Int?

    /// Parses `host[:port]`, or returns nil when it is not a registry address (`violation(in:)` says why).
    public init?(_ text: String) {
        guard case .host(let host) = Self.parse(text) else { return nil }
        self = host
    }

    private init(text: String, address: Address, port: Int?) {
        self.text = text
        self.address = address
        self.port = port
    }

    public var description: String { text }

    /// `host[:port]` for a URL: the host as written (an IPv6 address in brackets), then the port.
    public var authority: String {
        let host: String
        switch address {
        case .name(let name): host = name
        case .ipv4(let octets): host = octets.map(String.init).joined(separator: ".")
        case .ipv6:
            // The text between the brackets, which parsing checked is hex digits, ':' and '.'.
            host = String(text.prefix { $0 != "]" }) + "]"
        }
        return port.map { "\(host):\($0)" } ?? host
    }

    /// Whether the address is on this machine: an IPv4 address in 127.0.0.0/8, the IPv6 address `::1`,
    /// or the name `localhost` (any case). Never true for any other name, whatever its spelling.
    public var isLoopback: Bool {
        switch address {
        case .name(let name): name.lowercased() == "localhost"
        case .ipv4(let octets): octets.first == 127
        case .ipv6(let groups): groups == [0, 0, 0, 0, 0, 0, 0, 1]
        }
    }

    /// Whether `host` is a loopback address: `host[:port]` as references write it, or a URL's host,
    /// which may be an IPv6 address without brackets (`::1`). False for anything that doesn't parse.
    public static func isLoopback(_ host: String) -> Bool {
        if let parsed = RegistryHost(host) { return parsed.isLoopback }
        // URL.host drops the brackets of an IPv6 address.
        if host.contains(":"), !host.hasPrefix("["), let groups = ipv6Groups(Substring(host)) {
            return groups == [0, 0, 0, 0, 0, 0, 0, 1]
        }
        return false
    }

    /// Why `text` is not a registry address, in words a user can act on; nil when it is one.
    public static func violation(in text: String) -> String? {
        guard case .violation(let reason) = parse(text) else { return nil }
        return reason
    }

    // MARK: - Parsing

    private enum Parsed {
        case host(RegistryHost)
        case violation(String)
    }

    /// The largest port number.
    public static let maximumPort = 65535

    private static func parse(_ text: String) -> Parsed {
        guard !text.isEmpty else { return .violation("the registry host is empty") }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return .violation("a registry host is ASCII letters, digits, '.', '-', and ':PORT'")
        }
        let hostPart: Substring
        var portPart: Substring?
        let address: Address
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .violation("the IPv6 address has no closing ']' (write it as [::1]:5000)")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return .violation("only ':PORT' may follow the ']' of an IPv6 address") }
                portPart = after.dropFirst()
            }
            guard let groups = ipv6Groups(hostPart) else { return .violation("'\(hostPart)' is not an IPv6 address") }
            address = .ipv6(groups)
        } else {
            let colons = text.filter { $0 == ":" }.count
            guard colons <= 1 else { return .violation("an IPv6 address must be in brackets, such as [::1]:5000") }
            if let colon = text.firstIndex(of: ":") {
                hostPart = text[..<colon]
                portPart = text[text.index(after: colon)...]
            } else {
                hostPart = text[...]
            }
            guard !hostPart.isEmpty else { return .violation("the host name before ':' is empty") }
            switch nameOrIPv4(hostPart) {
            case .success(let parsed): address = parsed
            case .failure(let reason): return .violation(reason.text)
            }
        }
        var port: Int?
        if let portPart {
            switch parsePort(portPart) {
            case .success(let value): port = value
            case .failure(let reason): return .violation(reason.text)
            }
        }
        return .host(RegistryHost(text: text, address: address, port: port))
    }

    private struct Reason: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    private static func parsePort(_ text: Substring) -> Result<Int, Reason> {
        guard !text.isEmpty else { return .failure(Reason("the port after ':' is empty; write 1–65535 or leave out the ':'")) }
        guard text.utf8.allSatisfy(isDigit) else {
            return .failure(Reason("port '\(text)' must be 1–65535 in decimal digits only (no sign or exponent)"))
        }
        guard text.first != "0" else {
            return .failure(
                Reason(
                    text.allSatisfy { $0 == "0" }
                        ? "port 0 can't be connected to; use 1–65535" : "port '\(text)' has a leading zero"))
        }
        guard text.utf8.count <= 5, let value = Int(text), value <= maximumPort else {
            return .failure(Reason("port \(text) is out of range; use 1–65535"))
        }
        return .success(value)
    }

    /// A DNS name of RFC 1123 labels, or an IPv4 address when the last label is all digits.
    private static func nameOrIPv4(_ text: Substring) -> Result<Address, Reason> {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if let last = labels.last, !last.isEmpty, last.utf8.allSatisfy(isDigit) {
            guard let octets = ipv4Octets(text) else {
                return .failure(Reason("'\(text)' is not an IPv4 address (four numbers 0–255 such as 127.0.0.1) nor a host name"))
            }
            return .success(.ipv4(octets))
        }
        guard text.utf8.count <= 253 else { return .failure(Reason("host name '\(text)' is longer than 253 characters")) }
        for label in labels {
            guard !label.isEmpty else {
                return .failure(Reason("host name '\(text)' has an empty label (a leading, trailing or double '.')"))
            }
            guard label.utf8.count <= 63 else {
                return .failure(Reason("host name '\(text)' has a label longer than 63 characters"))
            }
            guard label.utf8.allSatisfy({ isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") }) else {
                return .failure(Reason("host name '\(text)' may only have letters, digits, '-' and '.'"))
            }
            guard label.first != "-", label.last != "-" else {
                return .failure(Reason("host name '\(text)' has a label that starts or ends with '-'"))
            }
        }
        return .success(.name(String(text)))
    }

    /// `a.b.c.d`, each 0–255 in decimal without a leading zero (which some resolvers read as octal).
    private static func ipv4Octets(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy(isDigit), part == "0" || part.first != "0",
                let value = Int(part), value <= 255
            else { return nil }
            octets.append(UInt8(value))
        }
        return octets
    }

    /// RFC 4291 §2.2 text: eight groups of 1–4 hex digits, one `::` for a run of zero groups, and
    /// optionally a dotted-quad IPv4 address as the last 32 bits.
    static func ipv6Groups(_ text: Substring) -> [UInt16]? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        guard let head = groups(halves[0], endsAddress: halves.count == 1) else { return nil }
        guard halves.count == 2 else { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1], endsAddress: true), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// The groups of one side of `::` (none when it is empty).
    private static func groups(_ text: Substring, endsAddress: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if endsAddress && index == parts.count - 1 && part.contains(".") {
                guard let octets = ipv4Octets(part) else { return nil }
                groups += [UInt16(octets[0]) << 8 | UInt16(octets[1]), UInt16(octets[2]) << 8 | UInt16(octets[3])]
                continue
            }
            guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit), let value = UInt16(part, radix: 16)
            else { return nil }
            groups.append(value)
        }
        return groups
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
