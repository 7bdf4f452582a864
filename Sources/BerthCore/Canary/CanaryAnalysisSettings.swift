/// berth.yaml `canary.<env>.analysis`: where metrics come from and how each is judged.
public struct CanaryAnalysisSettings: Hashable, Sendable {
    /// Prometheus's base URL (`http://127.0.0.1:9090`).
    public var prometheus: String
    /// The exporter the built-in templates read; nil when every metric gives its own query.
    public var templates: MetricTemplates?
    public var metrics: [CanaryMetricSettings]
    /// The comparison judge's score levels (Kayenta's pass and marginal).
    public var comparison: ComparisonJudge
    /// How often Prometheus scrapes: a comparison's points are rates over at least four scrapes.
    public var scrapeInterval: Double

    public init(
        prometheus: String, templates: MetricTemplates? = nil, metrics: [CanaryMetricSettings],
        comparison: ComparisonJudge = ComparisonJudge(), scrapeInterval: Double = 15
    ) {
        self.prometheus = prometheus
        self.templates = templates
        self.metrics = metrics
        self.comparison = comparison
        self.scrapeInterval = scrapeInterval
    }
}

/// One metric of a canary's analysis: its query and its judge.
public struct CanaryMetricSettings: Hashable, Sendable {
    /// A PromQL query: a built-in template, or the user's text where `{{side}}` becomes `stable` or
    /// `canary` and `{{window}}` the window as a PromQL duration.
    public enum Query: Hashable, Sendable {
        case template(MetricTemplates.Template)
        /// The exporter's requests in the window (the minimum-sample guard's default).
        case requests
        case custom(String)
    }

    public enum Judge: Hashable, Sendable {
        /// The canary's value against a bound; `samples` counts requests for the minimum-sample guard.
        case threshold(ThresholdJudge, samples: Query?)
        /// The canary against stable over the same window.
        case comparison(ComparisonMetric)
    }

    public var name: String
    public var query: Query
    public var judge: Judge

    public init(name: String, query: Query, judge: Judge) {
        self.name = name
        self.query = query
        self.judge = judge
    }

    /// The PromQL text for `side` over `window` seconds.
    public func render(_ query: Query, side: MetricTemplates.Side, window: Double, templates: MetricTemplates?) throws -> String {
        switch query {
        case .template(let template):
            guard let templates else {
                throw BerthError(.usage, "metric '\(name)' uses the template \(template.name) but analysis.exporter is not set")
            }
            return try templates.query(template, side: side, window: window)
        case .requests:
            guard let templates else {
                throw BerthError(
                    .usage, "metric '\(name)' counts requests but analysis.exporter is not set; give samples: a query")
            }
            return try templates.sampleCount(side: side, window: window)
        case .custom(let text):
            return text.replacingOccurrences(of: "{{side}}", with: side.rawValue)
                .replacingOccurrences(of: "{{window}}", with: try MetricTemplates.duration(window))
        }
    }
}
