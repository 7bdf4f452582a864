import Foundation

/// Built-in PromQL for canary analysis: a request success rate and response-time figures, for the stable
/// or the canary side of a service, over a window, plus the sample-count query the minimum-sample guard
/// reads. Pure: it renders strings, it never runs them (a `MetricsSource` does).
///
/// Two exporters are known:
/// - `.service`: the service's own metrics, as examples/gin-service exports them (`http_requests_total
///   {code,method,route}`, `http_request_duration_seconds` histogram). The sides are told apart by a
///   target label Prometheus's scrape config adds (`track="stable"` / `track="canary"`; the label's name
///   is configurable), so every query selects `{track="<side>"}` plus the extra matchers given.
/// - `.haproxy`: HAProxy's built-in exporter (`http-request use-service prometheus-exporter`), with
///   stable and canary as servers of one backend (`proxy`): `haproxy_server_http_responses_total
///   {proxy,server,code}` with codes `1xx`…`5xx` and `other`, `haproxy_server_connection_errors_total`,
///   `haproxy_server_response_errors_total` and `haproxy_server_response_time_average_seconds`. HAProxy
///   2.6's exporter has no response-time histogram, only averages over the last 1024 requests, so it
///   can't give quantiles: `latency-pNN` is refused for it; `latency-average` works for both.
///
/// Every query aggregates to one series (`sum`, `avg`), as `MetricReading(instant:)` wants. With no
/// traffic in the window a ratio is NaN (0/0) and the sample count is 0: the guard decides.
public struct MetricTemplates: Hashable, Sendable {
    /// Which version a query measures.
    public enum Side: String, Hashable, Sendable, CaseIterable {
        case stable, canary
    }

    /// What is measured, named as berth.yaml names it.
    public enum Template: Hashable, Sendable, CustomStringConvertible {
        /// The share of requests that didn't fail (0…1): not 5xx; for HAProxy also not a connection or
        /// response error (the server never answered).
        case successRate
        /// The q-quantile (0 < q < 1) of the request duration in seconds, from the histogram.
        case latencyQuantile(Double)
        /// The mean request duration in seconds (HAProxy: its response-time average, over the window).
        case latencyAverage

        /// The built-in names: `success-rate`, `latency-p50`, `latency-p90`, `latency-p99`, `latency-average`.
        public static let builtIn: [Template] = [
            .successRate, .latencyQuantile(0.5), .latencyQuantile(0.9), .latencyQuantile(0.99), .latencyAverage,
        ]

        /// `success-rate`, `latency-average`, or `latency-p` and a percentile: `latency-p50`, `latency-p99`,
        /// `latency-p99.9` (any percentile strictly between 0 and 100). Nil for anything else.
        public init?(name: String) {
            switch name {
            case "success-rate": self = .successRate
            case "latency-average": self = .latencyAverage
            default:
                guard name.hasPrefix("latency-p") else { return nil }
                let digits = name.dropFirst("latency-p".count)
                let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count),
                    parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }),
                    parts[0].count <= 2, parts[0].count == 1 || parts[0].first != "0",
                    let percentile = Double(digits), percentile > 0, percentile < 100
                else { return nil }
                // The decimal point moved two places in the text (99.9 → 0.999), so q is the literal's
                // nearest Double; dividing by 100 would give 0.9990000000000001.
                let whole = String(repeating: "0", count: max(0, 2 - parts[0].count)) + parts[0]
                guard let q = Double("0." + whole + (parts.count == 2 ? parts[1] : "")) else { return nil }
                self = .latencyQuantile(q)
            }
        }

        /// The name berth.yaml uses: `success-rate`, `latency-p99`, `latency-average`.
        public var name: String {
            switch self {
            case .successRate: "success-rate"
            case .latencyAverage: "latency-average"
            case .latencyQuantile(let q): "latency-p" + MetricTemplates.number(q * 100)
            }
        }

        public var description: String { name }
    }

    /// One PromQL label matcher, `name="value"` (`=`, `!=`, `=~`, `!~`); the value is escaped when
    /// rendered, so any string is safe in it.
    public struct LabelMatcher: Hashable, Sendable, CustomStringConvertible {
        public enum Operator: String, Hashable, Sendable, CaseIterable {
            case equal = "="
            case notEqual = "!="
            case matches = "=~"
            case notMatches = "!~"
        }

        public var name: String
        public var op: Operator
        public var value: String

        public init(_ name: String, _ op: Operator = .equal, _ value: String) {
            self.name = name
            self.op = op
            self.value = value
        }

        /// `route!="/healthz"`.
        public var description: String { name + op.rawValue + MetricTemplates.quoted(value) }
    }

    /// Where the numbers come from.
    public enum Exporter: Hashable, Sendable {
        /// The service's own metrics. `trackLabel` is the target label whose value is the side
        /// (`track`); `matchers` narrow every query further (`job="gin-service"`, `route!="/healthz"`);
        /// the metric names default to examples/gin-service's.
        case service(
            trackLabel: String = "track", matchers: [LabelMatcher] = [], requests: String = "http_requests_total",
            duration: String = "http_request_duration_seconds")
        /// HAProxy's exporter: the backend (`proxy` label) holding both sides, and each side's server names.
        case haproxy(proxy: String, stable: [String], canary: [String])
    }

    public let exporter: Exporter

    /// Checks the exporter's names: label and metric names must be PromQL identifiers, a side needs at
    /// least one HAProxy server, and no server may be on both sides. Throws a `.usage` `BerthError`.
    public init(_ exporter: Exporter) throws {
        switch exporter {
        case .service(let trackLabel, let matchers, let requests, let duration):
            for (what, name) in [("track label", trackLabel), ("requests metric", requests), ("duration metric", duration)]
            where !Self.isIdentifier(name) {
                throw BerthError(.usage, "metrics: the \(what) '\(name)' is not a Prometheus name ([a-zA-Z_][a-zA-Z0-9_]*)")
            }
            for matcher in matchers where !Self.isIdentifier(matcher.name) {
                throw BerthError(.usage, "metrics: the label '\(matcher.name)' in a matcher is not a Prometheus label name")
            }
            if let clash = matchers.first(where: { $0.name == trackLabel }) {
                throw BerthError(
                    .usage, "metrics: the matcher '\(clash)' selects on '\(trackLabel)', which berth sets to the side itself")
            }
        case .haproxy(let proxy, let stable, let canary):
            if proxy.isEmpty { throw BerthError(.usage, "metrics: HAProxy's exporter needs the backend ('proxy') name") }
            for (side, servers) in [("stable", stable), ("canary", canary)] {
                if servers.isEmpty || servers.contains(where: \.isEmpty) {
                    throw BerthError(.usage, "metrics: HAProxy's exporter needs the \(side) server names of backend '\(proxy)'")
                }
            }
            if let shared = stable.first(where: canary.contains) {
                throw BerthError(.usage, "metrics: HAProxy server '\(shared)' is listed as both stable and canary")
            }
        }
        self.exporter = exporter
    }

    /// The PromQL for `template` on `side` over the last `window` seconds (rendered as a PromQL
    /// duration: `[1m]`, `[90s]`, `[1500ms]`). Throws a `.usage` `BerthError` for a template the exporter
    /// can't answer (a quantile from HAProxy), a quantile outside (0, 1) or a window under a millisecond.
    public func query(_ template: Template, side: Side, window: Double) throws -> String {
        let range = try Self.duration(window)
        switch (exporter, template) {
        case (.service(_, _, let requests, _), .successRate):
            let all = selector(side)
            let good = selector(side, LabelMatcher("code", .notMatches, "5.."))
            return "sum(rate(\(requests)\(good)[\(range)])) / sum(rate(\(requests)\(all)[\(range)]))"
        case (.service(_, _, _, let duration), .latencyQuantile(let q)):
            guard q > 0, q < 1 else { throw BerthError(.usage, "metrics: a latency quantile must be between 0 and 1, not \(q)") }
            return "histogram_quantile(\(Self.number(q)), sum by (le) (rate(\(duration)_bucket\(selector(side))[\(range)])))"
        case (.service(_, _, _, let duration), .latencyAverage):
            let all = selector(side)
            return "sum(rate(\(duration)_sum\(all)[\(range)])) / sum(rate(\(duration)_count\(all)[\(range)]))"
        case (.haproxy, .successRate):
            let good = selector(side, LabelMatcher("code", .matches, "[1-4]xx"))
            return "sum(rate(haproxy_server_http_responses_total\(good)[\(range)])) / (\(haproxyAttempts(side, "rate", range)))"
        case (.haproxy, .latencyAverage):
            return "avg(avg_over_time(haproxy_server_response_time_average_seconds\(selector(side))[\(range)]))"
        case (.haproxy, .latencyQuantile):
            throw BerthError(
                .usage,
                "metrics: \(template.name) needs a response-time histogram, and HAProxy 2.6's exporter has only averages"
                    + " (haproxy_server_response_time_average_seconds): use latency-average, or the service's own metrics")
        }
    }

    /// The requests `side` answered in the last `window` seconds, for the minimum-sample guard: the
    /// service's `http_requests_total`; for HAProxy its responses plus the requests its server never
    /// answered (connection and response errors). `increase` extrapolates, so it needn't be a whole number.
    public func sampleCount(side: Side, window: Double) throws -> String {
        let range = try Self.duration(window)
        switch exporter {
        case .service(_, _, let requests, _): return "sum(increase(\(requests)\(selector(side))[\(range)]))"
        case .haproxy: return haproxyAttempts(side, "increase", range)
        }
    }

    /// Responses, connection errors and response errors of `side`'s servers, each summed, added up.
    private func haproxyAttempts(_ side: Side, _ function: String, _ range: String) -> String {
        let all = selector(side)
        return [
            "haproxy_server_http_responses_total", "haproxy_server_connection_errors_total",
            "haproxy_server_response_errors_total",
        ].map { "sum(\(function)(\($0)\(all)[\(range)]))" }.joined(separator: " + ")
    }

    /// `{track="canary",job="x",extra}`, or `{proxy="app",server=~"c1|c2",extra}`.
    private func selector(_ side: Side, _ extra: LabelMatcher? = nil) -> String {
        var matchers: [LabelMatcher]
        switch exporter {
        case .service(let trackLabel, let configured, _, _):
            matchers = [LabelMatcher(trackLabel, .equal, side.rawValue)] + configured
        case .haproxy(let proxy, let stable, let canary):
            let servers = side == .stable ? stable : canary
            let server =
                servers.count == 1
                ? LabelMatcher("server", .equal, servers[0])
                : LabelMatcher("server", .matches, servers.map(Self.regexLiteral).joined(separator: "|"))
            matchers = [LabelMatcher("proxy", .equal, proxy), server]
        }
        if let extra { matchers.append(extra) }
        return "{" + matchers.map(\.description).joined(separator: ",") + "}"
    }

    /// A PromQL duration for `seconds`, in the largest unit that writes it whole: `1h`, `5m`, `90s`,
    /// `1500ms`. Whole milliseconds only (rounded), at least one.
    static func duration(_ seconds: Double) throws -> String {
        guard seconds.isFinite, seconds >= 0.001, seconds <= 366 * 86400 else {
            throw BerthError(.usage, "metrics: a query window must be from 1 ms to a year, not \(seconds) s")
        }
        let milliseconds = Int64((seconds * 1000).rounded())
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)] where milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    /// A number as PromQL and names write it: `0.99`, `50`, `99.9`.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        // Percentiles come from q × 100: 0.999 × 100 is 99.89999…; 12 significant digits undo that.
        var text = String(Double(String(format: "%.12g", value)) ?? value)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// A double-quoted PromQL string: backslash, quote and control characters escaped as Go does.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `name` matched literally inside an RE2 regex (PromQL's): its metacharacters escaped.
    static func regexLiteral(_ name: String) -> String {
        var out = ""
        for character in name {
            if "\\.+*?()|[]{}^$".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetterOrUnderscore else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetterOrUnderscore || ("0"..."9").contains($0) }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetterOrUnderscore: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
}
