import AsyncHTTPClient
import BerthCore
import BerthOCI
import Foundation
import NIOCore
import NIOHTTP1

/// `MetricsSource` over Prometheus's HTTP API (`/api/v1/query`, `/api/v1/query_range`), or anything that
/// speaks it (Thanos, Mimir, VictoriaMetrics, a proxy in front of Prometheus).
///
/// One request per call, bounded by `timeout` from connect to the last body byte; no retries (the
/// caller's next measurement is the retry). A short query goes as a GET; one whose form is longer than
/// 2,000 bytes is POSTed form-encoded, which Prometheus accepts on both endpoints.
///
/// What it throws, so the caller knows whether asking again can help:
/// - `MetricsUnavailable`: connection refused or reset, no answer within the timeout, HTTP 5xx, 408 or 429,
///   Prometheus's `timeout`/`canceled`/`internal`/`unavailable` errors, and an answer that isn't the API's
///   envelope (even with 200: it is never taken for data). Asking later may work.
/// - `MetricsQueryRejected`: Prometheus's `bad_data` (PromQL that doesn't parse, bad parameters) and
///   `execution` (a query it can't evaluate, e.g. many-to-many matching), HTTP 401/403 (credentials), 404
///   (no API at that URL: a missing path prefix), a redirect, other 4xx, and an answer over 32 MiB.
///   Asking again can't work: the configuration must change.
///
/// Messages are one line: the source (its URL without user-info), the method and API path, the query,
/// what happened and what to do. No credential or header value is ever in a message, a description or
/// a mirror.
public struct PrometheusSource: MetricsSource, CustomStringConvertible, CustomReflectable {
    /// `prometheus http://127.0.0.1:9090`.
    public let name: String
    /// The base URL without user-info, e.g. `https://metrics.example/prometheus` (no trailing `/`).
    public let url: String
    public let timeout: Duration
    let headers: [(name: String, value: String)]
    let warn: @Sendable (String) -> Void

    /// Forms longer than this many bytes are POSTed rather than put in the URL.
    static let longestGetForm = 2000
    /// The largest answer read.
    static let maximumBody = 32 << 20

    /// - Parameters:
    ///   - url: Prometheus's base URL, `http(s)://host:port[/prefix]`; no query or fragment. User-info
    ///     (`https://user:pass@host`) becomes Basic authorization and is never shown.
    ///   - timeout: the bound on each request, connect to last byte (more than 0, at most 10 minutes).
    ///   - headers: extra request headers (`X-Scope-OrgID` for a tenant); their values are never shown.
    ///   - authorization: Basic or bearer, sent as `Authorization`.
    ///   - allowInsecureCredentials: send credentials over plain http to a host that isn't loopback (127.0.0.0/8,
    ///     `::1`, `localhost`). Without it such a source is refused: anyone on the path could read them.
    ///   - warnings: called with one line for each warning in an answer (`prometheus URL: warning for 'query': …`).
    /// - Throws: a `.usage` `BerthError` naming what's wrong with the settings (never a credential).
    public init(
        url: String, timeout: Duration = .seconds(10), headers: [String: String] = [:],
        authorization: PrometheusAuthorization? = nil, allowInsecureCredentials: Bool = false,
        warnings: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw BerthError(
                .usage,
                "metrics: '\(Self.redacted(url))' is not an http(s) URL; give Prometheus's address, e.g. http://127.0.0.1:9090")
        }
        if components.query != nil || components.fragment != nil {
            throw BerthError(
                .usage,
                "metrics: '\(Self.redacted(url))' has a query or fragment; give Prometheus's base URL (a path prefix is fine)")
        }
        var authorization = authorization
        if components.user != nil || components.password != nil {
            if authorization != nil {
                throw BerthError(.usage, "metrics: the URL has user-info and authorization is given too; give one of them")
            }
            authorization = .basic(username: components.user ?? "", password: components.password ?? "")
            components.user = nil
            components.password = nil
        }
        components.scheme = scheme
        components.path = String(components.path.reversed().drop(while: { $0 == "/" }).reversed())
        guard let base = components.string else {
            throw BerthError(.usage, "metrics: '\(Self.redacted(url))' is not a URL berth can use")
        }
        guard timeout > .zero, timeout <= .seconds(600) else {
            throw BerthError(.usage, "metrics: the timeout must be more than 0 and at most 10 minutes")
        }
        if let problem = authorization?.problem { throw BerthError(.usage, "metrics: \(problem)") }
        var sent: [(name: String, value: String)] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let problem = Self.headerProblem(name: name, value: value, authorized: authorization != nil) {
                throw BerthError(.usage, "metrics: header '\(Self.oneLine(name, limit: 60))' \(problem)")
            }
            sent.append((name, value))
        }
        let credentials =
            authorization != nil
            || sent.contains { ["authorization", "proxy-authorization", "cookie"].contains($0.name.lowercased()) }
        if credentials, scheme == "http", !RegistryHost.isLoopback(host), !allowInsecureCredentials {
            throw BerthError(
                .usage,
                "metrics: \(base) is plain http to a host that isn't loopback: berth won't send credentials over it;"
                    + " use https, or allow insecure credentials explicitly")
        }
        if let authorization { sent.append(("Authorization", authorization.headerValue)) }
        self.url = base
        name = "prometheus \(base)"
        self.timeout = timeout
        self.headers = sent
        warn = warnings
    }

    public var description: String { name }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "timeout": timeout, "headers": headers.map { "\($0.name): ***" }])
    }

    public func query(_ query: String, at time: Double) async throws -> [MetricSeries] {
        guard time.isFinite else { throw BerthError(.usage, "metrics: an instant query's time must be finite") }
        return try await send("/api/v1/query", [("query", query), ("time", Self.seconds(time))], query: query)
    }

    public func queryRange(_ query: String, start: Double, end: Double, step: Double) async throws -> [MetricSeries] {
        guard start.isFinite, end.isFinite, step.isFinite, step > 0, end >= start else {
            throw BerthError(.usage, "metrics: a range query needs finite start ≤ end and a step above 0")
        }
        return try await send(
            "/api/v1/query_range",
            [("query", query), ("start", Self.seconds(start)), ("end", Self.seconds(end)), ("step", Self.seconds(step))],
            query: query)
    }

    /// One exchange with the API and its answer read: series, or the error that says what to do.
    func send(_ path: String, _ parameters: [(String, String)], query: String) async throws -> [MetricSeries] {
        let form = parameters.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        let post = form.utf8.count > Self.longestGetForm
        var request = HTTPClientRequest(url: url + path + (post ? "" : "?" + form))
        request.method = post ? .POST : .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "berth")
        for header in headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        if post {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let asked = Asked(source: name, method: post ? "POST" : "GET", path: path, query: query)
        let (status, location, body) = try await exchange(request, asked)
        return try answer(status: status, location: location, body: body, asked)
    }

    /// What was asked, for messages: `prometheus URL: GET /api/v1/query 'sum(…)'`.
    struct Asked {
        let source: String
        let method: String
        let path: String
        let query: String

        var words: String { "\(source): \(method) \(path) '\(PrometheusSource.oneLine(query))'" }
    }

    /// Sends `request`, bounded by `timeout` from the connect to the last body byte.
    func exchange(_ request: HTTPClientRequest, _ asked: Asked) async throws -> (Int, String?, Data) {
        let client = Self.client
        let timeout = timeout
        let deadline = TimeAmount.nanoseconds(Int64(timeout / .nanoseconds(1)))
        do {
            return try await withThrowingTaskGroup(of: (Int, String?, Data)?.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: deadline)
                    let body = try await response.body.collect(upTo: Self.maximumBody)
                    return (Int(response.status.code), response.headers.first(name: "Location"), Data(body.readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else { throw TimedOut() }
                return answer
            }
        } catch is TimedOut {
            throw unavailable(asked, "no answer within \(Self.words(timeout))")
        } catch is NIOTooManyBytesError {
            throw MetricsQueryRejected(
                query: asked.query, reason: "too large",
                message:
                    "\(asked.words): the answer is larger than \(Self.maximumBody >> 20) MiB; aggregate the query (sum by (…)) or ask for fewer points"
            )
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw unavailable(asked, "no answer within \(Self.words(timeout))")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw unavailable(asked, Self.describe(error))
        }
    }

    struct TimedOut: Error {}

    /// The answer read, by status and envelope.
    func answer(status: Int, location: String?, body: Data, _ asked: Asked) throws -> [MetricSeries] {
        let envelope: PrometheusResponse?
        var malformed: String?
        do { envelope = try PrometheusResponse.parse(body) } catch {
            envelope = nil
            malformed = "\(error)"
        }
        switch envelope {
        case .success(let series, let warnings)? where (200..<300).contains(status):
            for warning in warnings { warn("\(name): warning for '\(Self.oneLine(asked.query))': \(Self.oneLine(warning))") }
            return series
        case .failure(let errorType, let error)?:
            let said = "\(Self.oneLine(error)) (\(Self.oneLine(errorType, limit: 40)), HTTP \(status))"
            switch errorType {
            case "bad_data":
                throw rejected(
                    asked, errorType, "Prometheus rejected it: \(said); fix the query or its parameters, asking again can't work")
            case "execution":
                throw rejected(
                    asked, errorType,
                    "Prometheus can't evaluate it: \(said); fix the query (aggregate it, e.g. sum by (…)), asking again can't work"
                )
            case "not_found":
                throw rejected(asked, errorType, "Prometheus says: \(said); check the URL and its path prefix")
            case "timeout", "canceled", "internal", "unavailable":
                throw unavailable(asked, "Prometheus failed: \(said); check its load and log, then ask again")
            default:
                if (400..<500).contains(status) && status != 408 && status != 429 {
                    throw rejected(asked, errorType, "Prometheus refused it: \(said); fix the query or the settings")
                }
                throw unavailable(asked, "Prometheus failed: \(said); ask again later")
            }
        default:
            break
        }
        switch status {
        case 200..<300:
            throw unavailable(
                asked,
                "HTTP \(status) with an answer that isn't Prometheus's API (\(malformed ?? "a success envelope with a non-2xx status")); check that the URL is Prometheus's"
            )
        case 301, 302, 303, 307, 308:
            let target = location.map { " to \(Self.redacted($0))" } ?? ""
            throw rejected(
                asked, "http \(status)", "HTTP \(status), a redirect\(target); give the address it redirects to as the URL")
        case 401:
            throw rejected(
                asked, "http 401", "HTTP 401: credentials are missing or refused; give a user and password or a token it accepts")
        case 403:
            throw rejected(asked, "http 403", "HTTP 403: the credentials are refused access; check them and their permissions")
        case 404:
            throw rejected(
                asked, "http 404",
                "HTTP 404: there is no Prometheus API at this URL; check it (a path prefix, such as /prometheus?)")
        case 408, 429:
            throw unavailable(asked, "HTTP \(status): Prometheus (or a proxy) is busy; ask again later")
        case 400..<500:
            throw rejected(asked, "http \(status)", "HTTP \(status); check the URL, headers and credentials")
        case 500..<600:
            throw unavailable(asked, "HTTP \(status); check that Prometheus is healthy (its log), then ask again")
        default:
            throw unavailable(asked, "HTTP \(status), which the API never answers; check that the URL is Prometheus's")
        }
    }

    func unavailable(_ asked: Asked, _ what: String) -> MetricsUnavailable {
        MetricsUnavailable("\(asked.words): \(what)")
    }

    func rejected(_ asked: Asked, _ reason: String, _ what: String) -> MetricsQueryRejected {
        MetricsQueryRejected(query: asked.query, reason: reason, message: "\(asked.words): \(what)")
    }

    /// A transport failure in words, with what to do.
    static func describe(_ error: Error) -> String {
        let hint = "; check that Prometheus runs at that address and is reachable from here"
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused" + hint
            case ECONNRESET, EPIPE: return "the connection was reset" + hint
            case ETIMEDOUT, EHOSTUNREACH, ENETUNREACH: return "the host can't be reached" + hint
            default: return String(cString: strerror(io.errnoCode)).lowercased() + hint
            }
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "no connection within the timeout" + hint
            case .readTimeout, .writeTimeout: return "no answer within the timeout" + hint
            case .remoteConnectionClosed: return "the connection closed before the answer was complete" + hint
            case .tlsHandshakeTimeout: return "no TLS handshake within the timeout" + hint
            default: return "the HTTP exchange failed (\(oneLine("\(client)", limit: 120)))" + hint
            }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            return "no connection within the timeout" + hint
        }
        if error is HTTPParserError { return "the answer is not valid HTTP; check that the URL is Prometheus's" }
        return "the connection failed (\(oneLine("\(error)", limit: 120)))" + hint
    }

    /// One pooled client for the whole process (it lives as long as the process, so it never needs the
    /// shutdown AsyncHTTPClient demands): redirects aren't followed (credentials stay on the host they
    /// were given for), and a refused connection fails the request at once rather than being retried
    /// until the deadline.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Why a header can't be sent, or nil.
    static func headerProblem(name: String, value: String, authorized: Bool) -> String? {
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if name.isEmpty || !name.allSatisfy(token.contains) { return "is not a header name" }
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0.value == 0 }) {
            return "has a line break in its value"
        }
        let lower = name.lowercased()
        if ["host", "content-length", "content-type", "transfer-encoding", "connection"].contains(lower) {
            return "is set by berth itself"
        }
        if lower == "authorization" && authorized { return "clashes with the authorization given" }
        return nil
    }

    /// A URL for messages: no user-info, no query values.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "<url>" }
        components.user = nil
        components.password = nil
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: "redacted") }
        }
        components.fragment = nil
        return oneLine(components.string ?? "<url>", limit: 200)
    }

    static func oneLine(_ text: String, limit: Int = 300) -> String { PrometheusResponse.oneLine(text, limit: limit) }

    /// Seconds as the API takes them: `1700000000.123`.
    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// `10 s`, `1.5 s`, `250 ms`.
    static func words(_ duration: Duration) -> String {
        let milliseconds = Int64(duration / .milliseconds(1))
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : String(format: "%.1f s", Double(milliseconds) / 1000)
    }

    /// Percent-encoding for a form or query value: everything but the unreserved characters.
    static func formEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
