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

/// The metrics source couldn't answer (down, timed out, refused the query): a measurement *error*, which
/// pauses a canary; never a verdict on the build.
public struct MetricsUnavailable: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
