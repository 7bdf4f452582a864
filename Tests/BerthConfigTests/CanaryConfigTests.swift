import BerthConfig
import BerthCore
import Testing

/// berth.yaml `canary:`: a full section loads into the policy, traffic and analysis the service uses;
/// anything that can't mean a canary is refused with file:line:column (exit 64).
@Suite("berth.yaml canary")
struct CanaryConfigTests {
    static let traffic = """
            traffic:
              nginx: {include: nginx/api.conf, upstream: api, stable: ["127.0.0.1:8081"], canary: ["127.0.0.1:8082"]}

        """
    static let analysis = """
            analysis:
              prometheus: http://127.0.0.1:9090
              exporter: {service: {track_label: track, matchers: {job: api}}}
              metrics:
                - {name: success-rate, template: success-rate, min: 0.99, minimum_samples: 50}
                - {name: latency, template: latency-p99, compare: increase, tolerance: 0.2, critical: true}

        """

    static func yaml(
        steps: String = "[{setWeight: 10}, {pause: 5m}, {setWeight: 50}, {analysis: 2}, {setWeight: 100}]",
        extra: String = "", traffic: String = traffic, analysis: String = analysis
    ) -> String {
        "canary:\n  prod:\n    steps: \(steps)\n" + extra + traffic + analysis
    }

    @Test("a full section: steps, header, limits, nginx traffic, Prometheus analysis with both judges")
    func loads() throws {
        let config = try ConfigurationLoader.parse(
            Self.yaml(
                extra: "    header: 'X-Version: beta'\n    interval: 30s\n    failure_limit: 1\n    consecutive_error_limit: 2\n"),
            file: "berth.yaml")
        let prod = try #require(config.canary["prod"])
        #expect(
            prod.policy.steps == [
                .setWeight(10), .pause(seconds: 300), .setWeight(50), .analysis(measurements: 2), .setWeight(100),
            ])
        #expect(prod.policy.header == HeaderRoute(name: "X-Version", value: "beta"))
        #expect(
            prod.policy.interval == 30 && prod.policy.limits.failureLimit == 1 && prod.policy.limits.consecutiveErrorLimit == 2)
        #expect(prod.traffic.routerName == "nginx")
        let analysis = try #require(prod.analysis)
        #expect(analysis.prometheus == "http://127.0.0.1:9090" && analysis.metrics.map(\.name) == ["success-rate", "latency"])
        guard case .threshold(let judge, _) = analysis.metrics[0].judge, case .comparison(let metric) = analysis.metrics[1].judge
        else {
            Issue.record("judges: \(analysis.metrics.map(\.judge))")
            return
        }
        #expect(judge.bound == .min(0.99) && judge.minimumSamples == 50)
        #expect(metric.direction == .increase && metric.tolerance == 0.2 && metric.critical)
        let query = try analysis.metrics[0].render(
            analysis.metrics[0].query, side: .canary, window: 60, templates: analysis.templates)
        #expect(query.contains("track=\"canary\"") && query.contains("job=\"api\"") && query.contains("[1m]"))
    }

    @Test("pause until resumed, either way it is written; a custom query with {{side}} and {{window}}")
    func pausesAndQueries() throws {
        let config = try ConfigurationLoader.parse(
            Self.yaml(
                steps: "[{setWeight: 10}, {pause: {}}, {pause: until-resumed}]",
                analysis:
                    "    analysis:\n      prometheus: http://127.0.0.1:9090\n      metrics:\n        - {name: errors, query: 'sum(rate(e{t=\"{{side}}\"}[{{window}}]))', max: 0.5}\n"
            ),
            file: "berth.yaml")
        let prod = try #require(config.canary["prod"])
        #expect(prod.policy.steps == [.setWeight(10), .pause(seconds: nil), .pause(seconds: nil)])
        let metric = try #require(prod.analysis?.metrics.first)
        #expect(try metric.render(metric.query, side: .stable, window: 90, templates: nil) == "sum(rate(e{t=\"stable\"}[90s]))")
    }

    @Test(
        "what can't be a canary is refused at its position",
        arguments: [
            (yaml(steps: "[{setWeight: 101}]"), "berth.yaml:3:25", "must be a whole percent from 0 to 100"),
            (yaml(steps: "[]"), "berth.yaml:3:12", "is an empty list"),
            (yaml(steps: "[{analysis: 2}]"), "berth.yaml:3:24", "measures before any traffic reaches the canary"),
            (yaml(steps: "[{pause: soon}]"), "berth.yaml:3:21", "is 'soon', not a duration"),
            (yaml(steps: "[{setWeight: 10, pause: 1m}]"), "berth.yaml:3:13", "must be exactly one of setWeight, pause, analysis"),
            (yaml(steps: "[{setWeight: 10}, {analysis: 1}]", analysis: ""), "berth.yaml:3:12", "names no metrics"),
            ("canary:\n  qa:\n    steps: [{setWeight: 10}]\n" + traffic, "berth.yaml:3:5", "'canary.qa' names no environment"),
            (yaml(extra: "    header: 'X Version: beta'\n"), "berth.yaml:4:13", "is not an HTTP header name"),
            (yaml(traffic: ""), "berth.yaml:3:5", "'canary.prod.traffic' is missing"),
            (
                yaml(analysis: "    analysis:\n      prometheus: ftp://x\n      metrics: [{name: a, query: q, max: 1}]\n"),
                "berth.yaml:7:19", "must be an http(s) URL"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      metrics: [{name: a, query: q, max: 1, compare: increase}]\n"
                ), "berth.yaml:8:17", "needs one judge"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      metrics: [{name: a, template: success-rate, min: 1}]\n"
                ), "berth.yaml:8:37", "needs analysis.exporter"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      exporter: {service: {}}\n      metrics: [{name: a, template: p42, min: 1}]\n"
                ), "berth.yaml:9:37", "not a template"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      metrics: [{name: a, query: q, max: 1}, {name: a, query: q, max: 2}]\n"
                ), "berth.yaml:8:16", "is used twice"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      metrics: [{name: a, query: q, max: 1, tolerance: 0.1}]\n"
                ), "berth.yaml:8:56", "belongs to a comparison"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      metrics: [{name: a, query: q, max: 1, minimum_samples: 5}]\n"
                ), "berth.yaml:8:17", "needs samples: a query"
            ),
            (
                yaml(
                    analysis:
                        "    analysis:\n      prometheus: http://p:9090\n      pass_score: 50\n      marginal_score: 60\n      metrics: [{name: a, query: q, max: 1}]\n"
                ), "berth.yaml:7:7", "must not be above pass_score"
            ),
        ])
    func refused(yaml: String, position: String, fragment: String) {
        ValidationTests.expectRefused(yaml, at: position, fragment)
    }
}
