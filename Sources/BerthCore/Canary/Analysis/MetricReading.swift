/// One number read from a metrics source for a judge, or why there is none. An empty vector and a
/// source that is down mean different things: no data may be no traffic (inconclusive), a source down
/// is a measurement error (it pauses, it never judges the build).
public enum MetricReading: Hashable, Sendable {
    /// The query's value; may be NaN or ±Inf as Prometheus answers them.
    case value(Double)
    /// The query answered an empty vector.
    case empty
    /// The source couldn't answer, or the answer can't be one number: the message says why.
    case unavailable(String)

    /// An instant query's answer as one reading: no series (or a series without points) is `empty`, one
    /// series is its last point's value, several series are `unavailable` (the query must aggregate
    /// them, e.g. with `sum`, or it's ambiguous which one to judge).
    public init(instant series: [MetricSeries]) {
        let withPoints = series.filter { !$0.points.isEmpty }
        switch withPoints.count {
        case 0: self = .empty
        case 1: self = .value(withPoints[0].points[withPoints[0].points.count - 1].value)
        default: self = .unavailable("the query answered \(withPoints.count) series; aggregate it to one (e.g. sum(...))")
        }
    }

    /// The source's failure as a reading.
    public init(_ unavailable: MetricsUnavailable) { self = .unavailable(unavailable.message) }
}
