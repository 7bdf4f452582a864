import BerthCore
import Foundation
import Yams

extension ConfigurationLoader {
    /// Reads `canary:`, one entry per environment:
    ///
    /// ```yaml
    /// canary:
    ///   prod:
    ///     steps: [{setWeight: 10}, {pause: 5m}, {setWeight: 50}, {analysis: 2}, {setWeight: 100}]
    ///     header: {name: X-Version, value: beta}
    ///     interval: 1m
    ///     failure_limit: 0
    ///     traffic: {nginx: {…}}
    ///     analysis: {prometheus: http://127.0.0.1:9090, metrics: […]}
    /// ```
    static func readCanary(_ node: ConfigNode, environments: [EnvironmentPolicy]) throws -> [String: CanaryConfiguration] {
        var canaries: [String: CanaryConfiguration] = [:]
        for (environment, entry) in try node.freeMapping() {
            guard environments.contains(where: { $0.name == environment }) else {
                throw entry.fail(
                    "'\(entry.path)' names no environment (known: \(environments.map(\.name).joined(separator: ", ")))")
            }
            let fields = try entry.mapping(known: [
                "steps", "header", "interval", "failure_limit", "inconclusive_limit", "consecutive_error_limit", "traffic",
                "analysis",
            ])
            guard let stepsNode = fields["steps"] else {
                throw entry.fail("'\(entry.path).steps' is missing: list the canary's steps")
            }
            guard let trafficNode = fields["traffic"] else {
                throw entry.fail("'\(entry.path).traffic' is missing: name the nginx, haproxy or kubernetes routing")
            }
            var policy = CanaryPolicy(steps: try readCanarySteps(stepsNode))
            if let header = fields["header"] { policy.header = try readHeaderRoute(header) }
            if let interval = fields["interval"] { policy.interval = try positiveDuration(interval) }
            if let limit = fields["failure_limit"] { policy.limits.failureLimit = try count(limit) }
            if let limit = fields["inconclusive_limit"] { policy.limits.inconclusiveLimit = try count(limit) }
            if let limit = fields["consecutive_error_limit"] { policy.limits.consecutiveErrorLimit = try count(limit) }
            let analysis = try fields["analysis"].map(readCanaryAnalysis)
            if analysis == nil, let index = policy.steps.firstIndex(where: { if case .analysis = $0 { true } else { false } }) {
                throw stepsNode.fail(
                    "'\(stepsNode.path)[\(index)]' is an analysis step, but '\(entry.path).analysis' names no metrics")
            }
            let traffic = try readTraffic(trafficNode)
            if let problem = traffic.headerProblem(policy.header) {
                throw (fields["header"] ?? trafficNode).fail("'\(entry.path)': \(problem)")
            }
            canaries[environment] = CanaryConfiguration(policy: policy, traffic: traffic, analysis: analysis)
        }
        return canaries
    }

    /// `- setWeight: 10`, `- pause: 5m` (or `pause: {}` / `pause: until-resumed` to wait for a human),
    /// `- analysis: 2` (measurements at this weight, each must pass).
    static func readCanarySteps(_ node: ConfigNode) throws -> [CanaryStep] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.fail("'\(node.path)' is an empty list: give at least one step") }
        var lastWeight = 0
        return try items.map { item in
            let entries = try item.mapping(known: ["setWeight", "pause", "analysis"])
            guard entries.count == 1, let (key, value) = entries.first else {
                throw item.fail("'\(item.path)' must be exactly one of setWeight, pause, analysis")
            }
            switch key {
            case "setWeight":
                guard let weight = Int(try value.string()), (0...100).contains(weight) else {
                    throw value.fail("'\(value.path)' must be a whole percent from 0 to 100")
                }
                lastWeight = weight
                return .setWeight(weight)
            case "pause":
                if case .mapping(let mapping) = value.node, mapping.count == 0 { return .pause(seconds: nil) }
                let text = try value.string()
                if text == "until-resumed" { return .pause(seconds: nil) }
                return .pause(seconds: try positiveDuration(value))
            default:
                guard let count = Int(try value.string()), count >= 1, count <= 1000 else {
                    throw value.fail("'\(value.path)' must be the number of measurements, 1 to 1000")
                }
                guard lastWeight > 0 else {
                    throw value.fail(
                        "'\(value.path)' measures before any traffic reaches the canary: put a setWeight above 0 first")
                }
                return .analysis(measurements: count)
            }
        }
    }

    /// `{name: X-Version, value: beta}` or `"X-Version: beta"`.
    static func readHeaderRoute(_ node: ConfigNode) throws -> HeaderRoute {
        let name: String
        let value: String
        if case .scalar = node.node {
            let text = try node.string()
            guard let colon = text.firstIndex(of: ":") else { throw node.fail("'\(node.path)' must be 'Header-Name: value'") }
            name = text[..<colon].trimmingCharacters(in: .whitespaces)
            value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        } else {
            let fields = try node.mapping(known: ["name", "value"])
            guard let nameNode = fields["name"], let valueNode = fields["value"] else {
                throw node.fail("'\(node.path)' needs name and value")
            }
            name = try nameNode.string()
            value = try valueNode.string()
        }
        // An HTTP token (RFC 9110), so it can be a proxy's variable name; a value without quotes or controls.
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~").union(.alphanumerics)
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && token.contains($0) }) else {
            throw node.fail("'\(node.path)': '\(name)' is not an HTTP header name")
        }
        guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F && $0 != "\"" })
        else {
            throw node.fail("'\(node.path)': the value must be printable ASCII without spaces or quotes")
        }
        return HeaderRoute(name: name, value: value)
    }

    static func positiveDuration(_ node: ConfigNode) throws -> Double {
        let text = try node.string()
        guard let seconds = DurationText.seconds(text), seconds > 0, seconds <= 31 * 86_400 else {
            throw node.fail("'\(node.path)' is '\(text)', not a duration: write 30s, 5m, 1h30m (at most 31 days)")
        }
        return seconds
    }

    static func count(_ node: ConfigNode) throws -> Int {
        guard let value = Int(try node.string()), value >= 0, value <= 1000 else {
            throw node.fail("'\(node.path)' must be a whole number from 0 to 1000")
        }
        return value
    }
}

extension ConfigurationLoader {
    /// `canary.<env>.analysis`:
    ///
    /// ```yaml
    /// analysis:
    ///   prometheus: http://127.0.0.1:9090
    ///   exporter: {service: {track_label: track, matchers: {job: api}}}   # or {haproxy: {proxy: app, stable: [s1], canary: [c1]}}
    ///   metrics:
    ///     - {name: success-rate, template: success-rate, min: 0.99, minimum_samples: 50}
    ///     - {name: latency, template: latency-p99, compare: increase, tolerance: 0.2, critical: true}
    /// ```
    static func readCanaryAnalysis(_ node: ConfigNode) throws -> CanaryAnalysisSettings {
        let fields = try node.mapping(known: [
            "prometheus", "exporter", "metrics", "pass_score", "marginal_score", "scrape_interval",
        ])
        guard let prometheus = fields["prometheus"] else {
            throw node.fail("'\(node.path).prometheus' is missing: Prometheus's URL")
        }
        let url = try prometheus.string()
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil
        else { throw prometheus.fail("'\(prometheus.path)' must be an http(s) URL such as http://127.0.0.1:9090") }
        guard let metricsNode = fields["metrics"] else {
            throw node.fail("'\(node.path).metrics' is missing: list what to judge")
        }
        let templates = try fields["exporter"].map(readExporter)
        var comparison = ComparisonJudge()
        if let pass = fields["pass_score"] { comparison.passScore = try score(pass) }
        if let marginal = fields["marginal_score"] { comparison.marginalScore = try score(marginal) }
        guard comparison.marginalScore <= comparison.passScore else {
            throw node.fail("'\(node.path).marginal_score' must not be above pass_score")
        }
        let metrics = try metricsNode.sequence().map { try readCanaryMetric($0, templates: templates) }
        guard !metrics.isEmpty else { throw metricsNode.fail("'\(metricsNode.path)' is an empty list") }
        var names = Set<String>()
        for (index, metric) in metrics.enumerated() where !names.insert(metric.name).inserted {
            throw metricsNode.fail("'\(metricsNode.path)[\(index)]': the name '\(metric.name)' is used twice")
        }
        var settings = CanaryAnalysisSettings(prometheus: url, templates: templates, metrics: metrics, comparison: comparison)
        if let scrape = fields["scrape_interval"] { settings.scrapeInterval = try positiveDuration(scrape) }
        return settings
    }

    static func readExporter(_ node: ConfigNode) throws -> MetricTemplates {
        let entries = try node.mapping(known: ["service", "haproxy"])
        guard entries.count == 1, let (key, value) = entries.first else {
            throw node.fail("'\(node.path)' needs exactly one of service, haproxy")
        }
        do {
            if key == "haproxy" {
                let fields = try value.mapping(known: ["proxy", "stable", "canary"])
                return try MetricTemplates(
                    .haproxy(
                        proxy: try fields["proxy"]?.string() ?? "", stable: try fields["stable"]?.strings() ?? [],
                        canary: try fields["canary"]?.strings() ?? []))
            }
            let fields = try value.mapping(known: ["track_label", "matchers", "requests", "duration"])
            let matchers = try fields["matchers"].map { node in
                try node.freeMapping().map { name, value in MetricTemplates.LabelMatcher(name, .equal, try value.string()) }
            }
            return try MetricTemplates(
                .service(
                    trackLabel: try fields["track_label"]?.string() ?? "track", matchers: matchers ?? [],
                    requests: try fields["requests"]?.string() ?? "http_requests_total",
                    duration: try fields["duration"]?.string() ?? "http_request_duration_seconds"))
        } catch let error as BerthError where !error.message.hasPrefix(node.file) {
            throw value.fail(error.message)
        }
    }

    static func readCanaryMetric(_ node: ConfigNode, templates: MetricTemplates?) throws -> CanaryMetricSettings {
        let fields = try node.mapping(known: [
            "name", "template", "query", "min", "max", "minimum_samples", "samples", "no_data", "compare", "tolerance",
            "absolute_tolerance", "alpha", "critical", "weight", "minimum_points",
        ])
        guard let nameNode = fields["name"] else { throw node.fail("'\(node.path).name' is missing") }
        let name = try nameNode.string()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw nameNode.fail("'\(nameNode.path)' must be letters, digits, '-', '_' or '.'")
        }
        let query: CanaryMetricSettings.Query
        switch (fields["template"], fields["query"]) {
        case (let template?, nil):
            let text = try template.string()
            guard let known = MetricTemplates.Template(name: text) else {
                throw template.fail(
                    "'\(template.path)' is '\(text)', not a template (success-rate, latency-average, latency-p50/p90/p95/p99)")
            }
            guard templates != nil else { throw template.fail("'\(template.path)' needs analysis.exporter to say whose metrics") }
            query = .template(known)
        case (nil, let text?): query = .custom(try text.string())
        default: throw node.fail("'\(node.path)' needs exactly one of template, query")
        }
        let bounds = (fields["min"], fields["max"])
        switch (bounds, fields["compare"]) {
        case ((nil, nil), let compare?):
            for key in ["minimum_samples", "samples", "no_data"] where fields[key] != nil {
                throw fields[key]!.fail("'\(fields[key]!.path)' belongs to a threshold (min or max), not a comparison")
            }
            let direction = try compare.choice(ComparisonMetric.Direction.self, ComparisonMetric.Direction.allCases)
            var metric = ComparisonMetric(name: name, direction: direction)
            if let value = fields["tolerance"] { metric.tolerance = try fraction(value, upTo: 100) }
            if let value = fields["absolute_tolerance"] {
                metric.absoluteTolerance = try fraction(value, upTo: .greatestFiniteMagnitude)
            }
            if let value = fields["alpha"] { metric.alpha = try fraction(value, upTo: 0.5) }
            if let value = fields["critical"] { metric.critical = try value.bool() }
            if let value = fields["weight"] { metric.weight = try fraction(value, upTo: 1000) }
            if let value = fields["minimum_points"] { metric.minimumPoints = max(1, try count(value)) }
            return CanaryMetricSettings(name: name, query: query, judge: .comparison(metric))
        case ((let minimum, let maximum), nil) where (minimum == nil) != (maximum == nil):
            for key in ["tolerance", "absolute_tolerance", "alpha", "critical", "weight", "minimum_points"]
            where fields[key] != nil {
                throw fields[key]!.fail("'\(fields[key]!.path)' belongs to a comparison (compare), not a threshold")
            }
            let boundNode = (minimum ?? maximum)!
            guard let value = Double(try boundNode.string()), value.isFinite else {
                throw boundNode.fail("'\(boundNode.path)' must be a number")
            }
            var judge = ThresholdJudge(metric: name, bound: minimum != nil ? .min(value) : .max(value), sampleUnit: "requests")
            if let samples = fields["minimum_samples"] { judge.minimumSamples = Double(try count(samples)) }
            if let noData = fields["no_data"] { judge.noData = try noData.choice(NoDataVerdict.self, NoDataVerdict.allCases) }
            let samples = try fields["samples"].map { CanaryMetricSettings.Query.custom(try $0.string()) }
            if judge.minimumSamples != nil, samples == nil, templates == nil {
                throw node.fail("'\(node.path).minimum_samples' needs samples: a query, or analysis.exporter to count requests")
            }
            return CanaryMetricSettings(name: name, query: query, judge: .threshold(judge, samples: samples))
        default:
            throw node.fail("'\(node.path)' needs one judge: min or max (a threshold), or compare (increase, decrease, either)")
        }
    }

    static func score(_ node: ConfigNode) throws -> Double {
        guard let value = Double(try node.string()), (0...100).contains(value) else {
            throw node.fail("'\(node.path)' must be a score from 0 to 100")
        }
        return value
    }

    static func fraction(_ node: ConfigNode, upTo limit: Double) throws -> Double {
        guard let value = Double(try node.string()), value.isFinite, value >= 0, value <= limit else {
            throw node.fail("'\(node.path)' must be a number from 0 to \(limit == .greatestFiniteMagnitude ? "any" : "\(limit)")")
        }
        return value
    }
}
