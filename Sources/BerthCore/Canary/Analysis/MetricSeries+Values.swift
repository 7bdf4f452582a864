extension MetricSeries {
    /// Every point's value of every series, in order: a range query's answer as the judges take it.
    /// NaN and ±Inf are kept; the judges drop and count them (`FiniteSample`).
    public static func values(_ series: [MetricSeries]) -> [Double] {
        series.flatMap { $0.points.map(\.value) }
    }
}
