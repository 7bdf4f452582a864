import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A self-signed P-256 certificate and key (made with `openssl`) for a registry served over TLS on
/// `address`, with `names` as its subject alternative IP addresses.
public struct TestCertificate: Sendable {
    /// The address the server listens on.
    public let address: String
    public let certificate: String
    public let key: String

    /// Writes `cert.pem` and `key.pem` under `directory`; the certificate is for `names` (IP addresses),
    /// which need not include `address` (to test a certificate for another host).
    public init(address: String, names: [String]? = nil, in directory: String) throws {
        guard ExternalTool.openssl.isAvailable else { throw ExternalTool.Missing([.openssl]) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.address = address
        certificate = directory + "/cert.pem"
        key = directory + "/key.pem"
        let alternatives = (names ?? [address]).map { "IP:\($0)" }.joined(separator: ",")
        try Shell.run(
            ExternalTool.openssl.path,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                certificate, "-days", "2", "-subj", "/CN=berth-test", "-addext", "subjectAltName=\(alternatives)",
            ]
        ).check()
    }

    /// This machine's first IPv4 address outside 127.0.0.0/8 (berth speaks https to it, as to any
    /// registry that isn't loopback), or nil when it has none.
    public static var nonLoopbackIPv4: String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                entry.pointee.ifa_flags & UInt32(IFF_UP) != 0
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let found = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var raw = ipv4.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil
            }
            let dotted = String(cString: text)
            if found, !dotted.hasPrefix("127.") { return dotted }
        }
        return nil
    }
}
