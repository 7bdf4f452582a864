import BerthCore
import Foundation

/// Where the ledger is, as `--ledger`, `$BERTH_LEDGER` or berth.yaml's `ledger` spell it.
///
/// - `postgres://…` or `postgresql://…` is a PostgreSQL URL. The scheme is matched in any case
///   (`POSTGRES://` too: RFC 3986 schemes are case-insensitive), the rest strictly: see `Postgres`.
/// - Anything else that looks like a URL is refused (exit 64): a scheme-looking prefix before the first
///   `:` (`pg:`, `file:`, `http:`, `postgres:/x`), or `://` anywhere. Taken as a path, a mistyped URL
///   would become an empty SQLite ledger in a directory named after its password.
/// - The rest is a SQLite file, relative or absolute. A `:` is fine after a `/` (`./a:b.sqlite`,
///   `data/x:y.sqlite`); in the first component (`a:b.sqlite`) it reads as a scheme, so write `./a:b.sqlite`.
///
/// Every message about a location shows it `redacted(_:)`: never its password.
public enum LedgerLocation: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(Postgres)

    /// Classifies and parses `text`; a refusal is a usage error whose message shows `text` redacted.
    public static func parse(_ text: String) throws -> LedgerLocation {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw BerthError(.usage, "the ledger location is empty: give a SQLite file or \(usage)") }
        if let scheme = scheme(of: trimmed) {
            guard ["postgres", "postgresql"].contains(scheme.lowercased()) else {
                throw BerthError(
                    .usage,
                    "ledger '\(redacted(trimmed))' has the unknown scheme '\(scheme):': use \(usage), or a SQLite file path "
                        + "(./\(scheme):… for a file whose name has a ':')")
            }
            return .postgres(try Postgres(parsing: trimmed))
        }
        if trimmed.contains("://") {
            throw BerthError(.usage, "ledger '\(redacted(trimmed))' looks like a URL but is not \(usage)")
        }
        if trimmed.range(of: "password=", options: .caseInsensitive) != nil {
            throw BerthError(
                .usage, "ledger '\(redacted(trimmed))' looks like a connection string, not a SQLite file: use \(usage)")
        }
        return .sqlite(path: text)
    }

    /// The location for messages: the path, or the URL with its password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let postgres): postgres.description
        }
    }

    static let usage = "postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable|prefer|require"

    /// The scheme of a text that starts like a URL (RFC 3986: a letter, then letters, digits, `+`, `-`,
    /// `.`, up to the first `:`), else nil.
    static func scheme(of text: String) -> Substring? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let prefix = text[..<colon]
        guard let first = prefix.first, first.isASCII, first.isLetter,
            prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return prefix
    }

    /// `text` with every password replaced by `***`: a URL's user-info password (`user:***@`), found even
    /// when the URL doesn't parse (up to the last `@`, so an unencoded `@`, `/` or `#` in the password is
    /// covered too), and the value of any `…password=` parameter (up to `&` or a space). Leaves other text
    /// alone; may redact more than the password in a malformed URL, never less.
    public static func redacted(_ text: String) -> String {
        redactingParameters(redactingUserInfo(text))
    }

    private static func redactingUserInfo(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        var start = text.startIndex
        if let separator = text.range(of: "://"), separator.upperBound <= at {
            start = separator.upperBound
        } else if let scheme = scheme(of: text), scheme.endIndex < at {
            start = text.index(after: scheme.endIndex)
            while start < at, text[start] == "/" { start = text.index(after: start) }
        } else if let slash = text[..<at].lastIndex(of: "/") {
            start = text.index(after: slash)
        }
        guard let colon = text[start..<at].firstIndex(of: ":") else { return text }
        return String(text[...colon]) + "***" + String(text[at...])
    }

    private static func redactingParameters(_ text: String) -> String {
        text.replacing(#/(?i)(^|[?&;\s])([A-Za-z_]*password)=[^&\s]*/#) { match in
            "\(match.output.1)\(match.output.2)=***"
        }
    }

    /// A PostgreSQL ledger's connection: `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…`.
    ///
    /// Parsed strictly: a host (a name, an IPv4 address or a bracketed IPv6 one); a port, if given, of
    /// 1–65535 in digits (default 5432); the user and password percent-decoded (`@ : / ? #` in them must be
    /// percent-encoded); a database of one path segment (default: the user). The query's `sslmode` is
    /// `disable`, `prefer` (default) or `require`; `password=` (as libpq takes it) sets the password; other
    /// parameters are ignored. A `#fragment` is refused. `description`, `debugDescription` and the mirror
    /// never show the password.
    public struct Postgres: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        public enum SSLMode: String, Sendable { case disable, prefer, require }

        public let host: String
        public let port: Int
        public let user: String
        public let password: String?
        public let database: String
        public let sslMode: SSLMode
        /// The URL as written, redacted.
        public let description: String
        /// The password as decoded and as written, for `scrubbed(_:)`.
        private let secrets: [String]

        /// Parses a PostgreSQL URL; anything else is a usage error.
        public init(url text: String) throws {
            guard case .postgres(let postgres) = try LedgerLocation.parse(text) else {
                throw BerthError(.usage, "ledger '\(LedgerLocation.redacted(text))' is not \(LedgerLocation.usage)")
            }
            self = postgres
        }

        init(parsing text: String) throws {
            let shown = LedgerLocation.redacted(text)
            func refuse(_ reason: String) -> BerthError {
                BerthError(.usage, "ledger URL '\(shown)' is not \(LedgerLocation.usage): \(reason)")
            }
            guard let separator = text.range(of: "://"), LedgerLocation.scheme(of: text)?.endIndex == separator.lowerBound
            else { throw refuse("the scheme must be followed by //") }
            let rest = text[separator.upperBound...]
            let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            let tail = rest[authorityEnd...]
            // An '@' after the host: a '/', '?' or '#' in the user or password cut the URL short.
            let encoding = tail.contains("@") ? " (percent-encode '/', '?' and '#' in the user and password)" : ""

            var (user, password, secrets): (String?, String?, [String]) = (nil, nil, [])
            var hostAndPort = authority
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                hostAndPort = authority[authority.index(after: at)...]
                let colon = userInfo.firstIndex(of: ":")
                guard let name = String(userInfo[..<(colon ?? userInfo.endIndex)]).removingPercentEncoding else {
                    throw refuse("the user has a bad percent-encoding")
                }
                user = name.isEmpty ? nil : name
                if let colon {
                    let raw = String(userInfo[userInfo.index(after: colon)...])
                    guard let decoded = raw.removingPercentEncoding else {
                        throw refuse("the password has a bad percent-encoding")
                    }
                    (password, secrets) = (decoded, [raw, decoded])
                }
            }

            let host: Substring
            var portText: Substring?
            if hostAndPort.hasPrefix("[") {
                guard let close = hostAndPort.firstIndex(of: "]") else { throw refuse("the IPv6 host has no ']'") }
                host = hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close]
                let after = hostAndPort[hostAndPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw refuse("the host must be followed by :PORT or /" + encoding) }
                    portText = after.dropFirst()
                }
                guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                    throw refuse("the IPv6 host is not an address")
                }
            } else {
                let colon = hostAndPort.firstIndex(of: ":")
                host = hostAndPort[..<(colon ?? hostAndPort.endIndex)]
                portText = colon.map { hostAndPort[hostAndPort.index(after: $0)...] }
                guard !host.isEmpty else { throw refuse("the host is missing" + encoding) }
                guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                    throw refuse("the host has characters a host name can't have" + encoding)
                }
            }
            var port = 5432
            if let portText {
                guard (1...5).contains(portText.count), portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let number = Int(portText), (1...65535).contains(number)
                else { throw refuse("the port must be a number from 1 to 65535" + encoding) }
                port = number
            }

            guard !tail.contains("#") else {
                throw refuse("a '#' starts a fragment, which a ledger URL can't have (percent-encode it as %23)")
            }
            let queryStart = tail.firstIndex(of: "?")
            var path = tail[..<(queryStart ?? tail.endIndex)].dropFirst()
            if path.hasSuffix("/") { path = path.dropLast() }
            guard !path.contains("/") else { throw refuse("the database is one name, without '/'") }
            guard let database = String(path).removingPercentEncoding else {
                throw refuse("the database has a bad percent-encoding")
            }

            var sslMode = SSLMode.prefer
            for parameter in (queryStart.map { tail[tail.index(after: $0)...] } ?? "").split(separator: "&") {
                let equals = parameter.firstIndex(of: "=")
                let raw = equals.map { String(parameter[parameter.index(after: $0)...]) } ?? ""
                guard let key = String(parameter[..<(equals ?? parameter.endIndex)]).removingPercentEncoding,
                    let value = raw.removingPercentEncoding
                else { throw refuse("a query parameter has a bad percent-encoding") }
                switch key {
                case "sslmode":
                    guard let mode = SSLMode(rawValue: value) else {
                        throw refuse("sslmode must be disable, prefer or require")
                    }
                    sslMode = mode
                case "password": (password, secrets) = (value, secrets + [raw, value])
                default: break
                }
            }

            self.host = String(host)
            self.port = port
            self.user = user ?? "postgres"
            self.password = password
            self.database = database.isEmpty ? self.user : database
            self.sslMode = sslMode
            self.description = shown
            self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        }

        public var debugDescription: String { description }

        public var customMirror: Mirror {
            Mirror(
                self,
                children: [
                    "host": host, "port": port, "user": user, "database": database, "sslMode": sslMode,
                    "description": description,
                ])
        }

        /// `message` (one from postgres-nio or the server) with the password replaced by `***` wherever it
        /// appears, decoded or as written, and `redacted(_:)`.
        public func scrubbed(_ message: String) -> String {
            LedgerLocation.redacted(secrets.reduce(message) { $0.replacingOccurrences(of: $1, with: "***") })
        }
    }
}
