import BerthCore
import BerthOCI

/// How `berth serve` is reached and who may use it.
public struct ServerSettings: Sendable {
    /// How requests are authenticated.
    public enum Authentication: String, Sendable {
        /// A bearer token (or a session cookie holding one) from `berth token create`.
        case tokens
        /// No authentication, every request acting as `anonymousActor` with the admin role: loopback only.
        case none
        /// A trusted proxy's identity header (`proxy`), else tokens as `tokens`.
        case proxy
    }

    /// The prefix every route is under (`/berth` behind an ingress), without a trailing `/`; empty for none.
    public var basePath: String
    /// The URL users reach the server at (`https://berth.example/berth`); an https one makes cookies `Secure`.
    public var externalURL: String?
    public var authentication: Authentication
    /// Who acts when authentication is `none`.
    public var anonymousActor: String
    /// Whether reads answer without credentials, as the viewer `anonymous` (`--anonymous-read`).
    public var anonymousRead = false
    /// The trusted proxy, its headers and its users' roles; used when authentication is `proxy`.
    public var proxy: ProxyAccess?
    /// How `/api/v1/events` polls the ledger and paces its streams.
    public var eventStream = EventStreamTiming()
    /// Ends the event streams when the server shuts down.
    public var streams = StreamShutdown()

    public init(
        basePath: String = "", externalURL: String? = nil, authentication: Authentication = .tokens,
        anonymousActor: String = "anonymous"
    ) {
        self.basePath = basePath
        self.externalURL = externalURL
        self.authentication = authentication
        self.anonymousActor = anonymousActor
    }

    /// Refuses settings that would let the wrong people in on `address`: `--auth none` off loopback,
    /// `--auth proxy` without a trusted proxy (or trusting everyone) or without `--external-url` (the origin its
    /// forms are checked against: a proxy may rewrite Host), `--anonymous-read` under `--auth none`.
    public func check(listening address: ListenAddress) throws(BerthError) {
        switch authentication {
        case .none:
            guard address.isLoopback else {
                throw BerthError(
                    .usage,
                    "--auth none on \(address): anyone who reaches it could approve; listen on 127.0.0.1 or [::1], or drop --auth none and use berth token create"
                )
            }
            guard !anonymousRead else {
                throw BerthError(
                    .usage, "--anonymous-read with --auth none: everyone is already an admin there; drop one of them")
            }
        case .proxy:
            guard let proxy, !proxy.trusted.isEmpty else {
                throw BerthError(
                    .usage,
                    "--auth proxy needs --trusted-proxy ADDRESS|CIDR (or server.proxy.trusted in berth.yaml): the proxy's address, so no one else can say who they are"
                )
            }
            if let everything = proxy.trusted.first(where: \.isEverything) {
                throw BerthError(
                    .usage,
                    "--trusted-proxy \(everything): it trusts every address, so anyone could say who they are; name the proxy's address or network"
                )
            }
            guard externalURL != nil else {
                throw BerthError(
                    .usage,
                    "--auth proxy needs --external-url URL (the address users reach the proxy at): forms are checked against its origin"
                )
            }
        case .tokens: break
        }
    }

    /// Whether cookies must be `Secure`: the external URL is https.
    var secureCookies: Bool { externalURL?.lowercased().hasPrefix("https://") ?? false }

    /// `--base-path`: `/` or empty for none, else `/segment[/segment…]` of URL-safe characters.
    public static func basePath(_ text: String) throws(BerthError) -> String {
        var path = text
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { return "" }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"),
            segments.dropFirst().allSatisfy({ segment in
                !segment.isEmpty && segment != "." && segment != ".."
                    && segment.unicodeScalars.allSatisfy {
                        $0.isASCII
                            && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._~".unicodeScalars.contains($0))
                    }
            })
        else {
            throw BerthError(
                .usage,
                "--base-path '\(String(text.prefix(80)))': use a path such as /berth (letters, digits, '-', '.', '_', '~')")
        }
        return path
    }

    /// `--external-url`: an http or https URL without query or fragment.
    public static func externalURL(_ text: String) throws(BerthError) -> String {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), !text.contains("?"), !text.contains("#"),
            !text.contains("@"), text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }),
            text.count <= 2048
        else {
            throw BerthError(
                .usage,
                "--external-url '\(String(text.prefix(80)))': use an http or https URL without user, query or fragment, such as https://berth.example/berth"
            )
        }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// `--listen HOST:PORT`: where the server binds, and whether that is a loopback address.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host to bind (an IPv6 address without its brackets).
    public let host: String
    public let port: Int
    /// 127.0.0.0/8, `::1` or `localhost`, decided on the parsed address.
    public let isLoopback: Bool

    /// Parses `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`); port 0 picks a free one.
    public init(parsing text: String) throws(BerthError) {
        let usage = BerthError(
            .usage, "--listen '\(String(text.prefix(80)))': use HOST:PORT, such as 127.0.0.1:8080 or [::1]:8080")
        // Port 0 asks the system for a free port; RegistryHost accepts 1–65535 only.
        let zero = text.hasSuffix(":0")
        guard let parsed = RegistryHost(zero ? String(text.dropLast()) + "1" : text), let port = parsed.port else {
            throw usage
        }
        switch parsed.address {
        case .ipv6: host = String(parsed.authority.dropFirst().prefix { $0 != "]" })
        case .ipv4(let octets): host = octets.map(String.init).joined(separator: ".")
        case .name(let name): host = name
        }
        self.port = zero ? 0 : port
        isLoopback = parsed.isLoopback
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
