/// An image name without tag or digest: an optional registry host and a repository path
/// (`ghcr.io/acme/api`, `localhost:5000/api`, `api`).
///
/// OCI distribution-spec: path components match `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, joined by `/`.
public struct RepositoryName: Hashable, Sendable, CustomStringConvertible {
    /// The name as written.
    public let value: String

    /// Creates a name, or returns nil when a path component breaks the distribution-spec grammar.
    public init?(_ value: String) {
        guard RepositoryName.isValid(value) else { return nil }
        self.value = value
    }

    public var description: String { value }

    static func isValid(_ value: String) -> Bool {
        var components = value.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty, value.utf8.count <= 255 else { return false }
        // A first component with a '.', a ':' or named localhost is a registry host, not a path.
        if components.count > 1, let host = components.first,
            host.contains(".") || host.contains(":") || host == "localhost"
        {
            guard isValidHost(host) else { return false }
            components.removeFirst()
        }
        return components.allSatisfy(isValidPathComponent)
    }

    /// The host's characters only. Whether it is an address berth can reach (port 1–65535, RFC 1123
    /// labels, IPv6 in brackets) is `RegistryHost`'s call, made by `ImageReference(parsing:)` wherever
    /// a registry is addressed, so that a bad port is bad input (exit 65) with the reason, not a bad name.
    private static func isValidHost(_ host: Substring) -> Bool {
        !host.isEmpty
            && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
    }

    private static func isValidPathComponent(_ component: Substring) -> Bool {
        // [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
        let chars = Array(component.utf8)
        guard let first = chars.first, let last = chars.last, isAlnum(first), isAlnum(last) else { return false }
        var index = 0
        while index < chars.count {
            if isAlnum(chars[index]) {
                index += 1
                continue
            }
            var run = index
            while run < chars.count, !isAlnum(chars[run]) { run += 1 }
            let separator = String(decoding: chars[index..<run], as: UTF8.self)
            guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" })
            else { return false }
            index = run
        }
        return true
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
