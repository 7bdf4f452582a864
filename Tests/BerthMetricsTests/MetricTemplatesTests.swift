import BerthCore
import Testing

/// The built-in PromQL templates, rendered for each exporter, side and window: the exact strings.
/// (Pure BerthCore; they live here beside the adapter that runs them against a real Prometheus.)
@Suite("Built-in metric templates render exact PromQL")
struct MetricTemplatesTests {
    static let service = try! MetricTemplates(.service())
    static let haproxy = try! MetricTemplates(.haproxy(proxy: "app", stable: ["stable1", "stable2"], canary: ["canary1"]))

    @Test(
        "the service's own metrics, sides told apart by the track target label",
        arguments: [
            (
                MetricTemplates.Template.successRate, MetricTemplates.Side.canary, 60.0,
                #"sum(rate(http_requests_total{track="canary",code!~"5.."}[1m])) / sum(rate(http_requests_total{track="canary"}[1m]))"#
            ),
            (
                .successRate, .stable, 90,
                #"sum(rate(http_requests_total{track="stable",code!~"5.."}[90s])) / sum(rate(http_requests_total{track="stable"}[90s]))"#
            ),
            (
                .latencyQuantile(0.5), .canary, 60,
                #"histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{track="canary"}[1m])))"#
            ),
            (
                .latencyQuantile(0.9), .stable, 300,
                #"histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{track="stable"}[5m])))"#
            ),
            (
                .latencyQuantile(0.99), .canary, 3600,
                #"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{track="canary"}[1h])))"#
            ),
            (
                .latencyAverage, .canary, 1.5,
                #"sum(rate(http_request_duration_seconds_sum{track="canary"}[1500ms])) / sum(rate(http_request_duration_seconds_count{track="canary"}[1500ms]))"#
            ),
        ])
    func serviceQueries(template: MetricTemplates.Template, side: MetricTemplates.Side, window: Double, expected: String) throws {
        #expect(try Self.service.query(template, side: side, window: window) == expected)
    }

    @Test("the service's sample count, and matchers, label and metric names of one's own")
    func serviceSampleCountAndOptions() throws {
        #expect(
            try Self.service.sampleCount(side: .canary, window: 60) == #"sum(increase(http_requests_total{track="canary"}[1m]))"#)
        let custom = try MetricTemplates(
            .service(
                trackLabel: "rollout_track",
                matchers: [
                    .init("job", .equal, "shop"), .init("route", .notMatches, "/healthz|/ready"),
                    .init("ns", .notEqual, #"a"b\c"#),
                ],
                requests: "shop_requests_total", duration: "shop_latency_seconds"))
        #expect(
            try custom.query(.successRate, side: .stable, window: 120)
                == #"sum(rate(shop_requests_total{rollout_track="stable",job="shop",route!~"/healthz|/ready",ns!="a\"b\\c",code!~"5.."}[2m])) / sum(rate(shop_requests_total{rollout_track="stable",job="shop",route!~"/healthz|/ready",ns!="a\"b\\c"}[2m]))"#
        )
        #expect(
            try custom.query(.latencyQuantile(0.999), side: .canary, window: 30)
                == #"histogram_quantile(0.999, sum by (le) (rate(shop_latency_seconds_bucket{rollout_track="canary",job="shop",route!~"/healthz|/ready",ns!="a\"b\\c"}[30s])))"#
        )
        #expect(
            try custom.sampleCount(side: .canary, window: 60)
                == #"sum(increase(shop_requests_total{rollout_track="canary",job="shop",route!~"/healthz|/ready",ns!="a\"b\\c"}[1m]))"#
        )
    }

    @Test(
        "HAProxy's exporter: servers of one backend; failures include connections and responses the server never gave",
        arguments: [
            (
                MetricTemplates.Template.successRate, MetricTemplates.Side.canary,
                #"sum(rate(haproxy_server_http_responses_total{proxy="app",server="canary1",code=~"[1-4]xx"}[1m])) / (sum(rate(haproxy_server_http_responses_total{proxy="app",server="canary1"}[1m])) + sum(rate(haproxy_server_connection_errors_total{proxy="app",server="canary1"}[1m])) + sum(rate(haproxy_server_response_errors_total{proxy="app",server="canary1"}[1m])))"#
            ),
            (
                .successRate, .stable,
                #"sum(rate(haproxy_server_http_responses_total{proxy="app",server=~"stable1|stable2",code=~"[1-4]xx"}[1m])) / (sum(rate(haproxy_server_http_responses_total{proxy="app",server=~"stable1|stable2"}[1m])) + sum(rate(haproxy_server_connection_errors_total{proxy="app",server=~"stable1|stable2"}[1m])) + sum(rate(haproxy_server_response_errors_total{proxy="app",server=~"stable1|stable2"}[1m])))"#
            ),
            (
                .latencyAverage, .canary,
                #"avg(avg_over_time(haproxy_server_response_time_average_seconds{proxy="app",server="canary1"}[1m]))"#
            ),
        ])
    func haproxyQueries(template: MetricTemplates.Template, side: MetricTemplates.Side, expected: String) throws {
        #expect(try Self.haproxy.query(template, side: side, window: 60) == expected)
    }

    @Test("HAProxy's sample count; server names are regex-escaped inside a PromQL string")
    func haproxySampleCount() throws {
        #expect(
            try Self.haproxy.sampleCount(side: .canary, window: 60)
                == #"sum(increase(haproxy_server_http_responses_total{proxy="app",server="canary1"}[1m])) + sum(increase(haproxy_server_connection_errors_total{proxy="app",server="canary1"}[1m])) + sum(increase(haproxy_server_response_errors_total{proxy="app",server="canary1"}[1m]))"#
        )
        let dotted = try MetricTemplates(.haproxy(proxy: "web", stable: ["s.1"], canary: ["c.1", "c+2"]))
        #expect(
            try dotted.query(.latencyAverage, side: .canary, window: 60)
                == #"avg(avg_over_time(haproxy_server_response_time_average_seconds{proxy="web",server=~"c\\.1|c\\+2"}[1m]))"#)
        #expect(
            try dotted.query(.latencyAverage, side: .stable, window: 60)
                == #"avg(avg_over_time(haproxy_server_response_time_average_seconds{proxy="web",server="s.1"}[1m]))"#)
    }

    @Test("HAProxy 2.6 has no response-time histogram: a latency quantile from it is refused, saying what to use")
    func haproxyHasNoQuantiles() {
        #expect {
            try Self.haproxy.query(.latencyQuantile(0.99), side: .canary, window: 60)
        } throws: { error in
            let error = error as? BerthError
            return error?.kind == .usage && error?.message.contains("latency-p99") == true
                && error?.message.contains("use latency-average") == true
        }
    }

    @Test(
        "template names",
        arguments: [
            ("success-rate", MetricTemplates.Template.successRate), ("latency-p50", .latencyQuantile(0.5)),
            ("latency-p90", .latencyQuantile(0.9)), ("latency-p99", .latencyQuantile(0.99)),
            ("latency-p99.9", .latencyQuantile(0.999)), ("latency-average", .latencyAverage),
            ("latency-p75", .latencyQuantile(0.75)),
            ("latency-p0.1", .latencyQuantile(0.001)), ("latency-p5", .latencyQuantile(0.05)),
        ])
    func names(name: String, template: MetricTemplates.Template) {
        #expect(MetricTemplates.Template(name: name) == template)
        #expect(template.name == name)
    }

    @Test(
        "not template names",
        arguments: [
            "", "success", "latency", "latency-p", "latency-p0", "latency-p100", "latency-p.5", "latency-p5.", "latency-p-1",
            "latency-p1e1", "latency-pNaN", "Latency-p99", "latency-p050", "latency-p100.5", "latency-p 99",
        ])
    func notNames(name: String) {
        #expect(MetricTemplates.Template(name: name) == nil)
    }

    @Test("the built-in list")
    func builtIn() {
        #expect(
            MetricTemplates.Template.builtIn.map(\.name) == [
                "success-rate", "latency-p50", "latency-p90", "latency-p99", "latency-average",
            ])
    }

    @Test(
        "windows render in the largest whole unit; less than 1 ms is refused",
        arguments: [(60.0, "1m"), (30, "30s"), (90, "90s"), (7200, "2h"), (0.25, "250ms"), (1.0004, "1s"), (86400, "24h")])
    func windows(seconds: Double, expected: String) throws {
        #expect(try Self.service.sampleCount(side: .stable, window: seconds).contains("[\(expected)]"))
    }

    @Test("bad windows, quantiles and names are refused (.usage)")
    func refusals() {
        for window in [0, -1, 0.0004, Double.nan, .infinity] {
            #expect(throws: BerthError.self) { try Self.service.query(.successRate, side: .canary, window: window) }
        }
        for q in [0.0, 1, -0.5, .nan] {
            #expect(throws: BerthError.self) { try Self.service.query(.latencyQuantile(q), side: .canary, window: 60) }
        }
        #expect(throws: BerthError.self) { try MetricTemplates(.service(trackLabel: "track-name")) }
        #expect(throws: BerthError.self) { try MetricTemplates(.service(requests: "http requests")) }
        #expect(throws: BerthError.self) { try MetricTemplates(.service(matchers: [.init("9job", .equal, "x")])) }
        #expect(throws: BerthError.self) { try MetricTemplates(.service(matchers: [.init("track", .equal, "canary")])) }
        #expect(throws: BerthError.self) { try MetricTemplates(.haproxy(proxy: "", stable: ["a"], canary: ["b"])) }
        #expect(throws: BerthError.self) { try MetricTemplates(.haproxy(proxy: "app", stable: [], canary: ["b"])) }
        #expect(throws: BerthError.self) { try MetricTemplates(.haproxy(proxy: "app", stable: ["a"], canary: ["a"])) }
    }
}
