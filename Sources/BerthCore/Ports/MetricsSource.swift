/// One series of a query result: its labels and its points (seconds since the epoch, value). An instant
/// query gives one point per series.
public struct MetricSeries: Hashable, Sendable {
    public var labels: [String: String]
    public var points: [MetricPoint]

    public init(labels: [String: String], points: [MetricPoint]) {
        self.labels = labels
        self.points = points
    }
}

public struct MetricPoint: Hashable, Sendable {
    public var time: Double
    /// May be NaN or ±Inf, as Prometheus answers them (`"NaN"`, `"+Inf"`): judges decide what they mean.
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}

/// Where analysis reads metrics: Prometheus's HTTP API (BerthMetrics), recorded series in tests.
public protocol MetricsSource: Sendable {
    /// For messages and the ledger: `prometheus http://127.0.0.1:9090`.
    var name: String { get }
    /// An instant query evaluated at `time`; an empty vector is `[]`, never an error.
    func query(_ query: String, at time: Double) async throws -> [MetricSeries]
    /// A range query over [`start`, `end`] every `step` seconds.
    func queryRange(_ query: String, start: Double, end: Double, step: Double) async throws -> [MetricSeries]
}

/// The metrics source couldn't answer (down, timed out, overloaded, an answer that isn't its API's): a
/// measurement *error*, which pauses a canary; never a verdict on the build. Asking again later may work.
public struct MetricsUnavailable: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The metrics source refused the request as made, so asking again can't help: a query it can't parse
/// (Prometheus's `bad_data`) or execute (`execution`), credentials it refuses (401/403), no API at the
/// URL (404). The configuration is wrong: a canary stops for a human (never retried, never a verdict on
/// the build). `message` is one line naming the source, the query and what to fix; no credential.
public struct MetricsQueryRejected: Error, Sendable, CustomStringConvertible {
    /// The query as sent.
    public let query: String
    /// Prometheus's `errorType` (`bad_data`, `execution`), or `http <status>` when it sent none.
    public let reason: String
    public let message: String

    public init(query: String, reason: String, message: String) {
        self.query = query
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
