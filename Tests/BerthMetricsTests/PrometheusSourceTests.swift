import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthMetrics

/// PrometheusSource's requests and how it reads each kind of answer, against a scripted HTTP server on
/// 127.0.0.1 (for statuses and envelopes a real Prometheus can't be made to give), and its settings.
@Suite("PrometheusSource: requests, answers, credentials")
struct PrometheusSourceTests {
    static let vector =
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"track":"canary"},"value":[1764612000,"0.8"]}]}}"#

    @Test("an instant query is a GET of /api/v1/query with query and time; a range query sends start, end and step")
    func requests() async throws {
        let server = try ScriptedHTTPServer(status: 200, body: Self.vector)
        defer { server.stop() }
        let source = try PrometheusSource(url: server.url + "/prom/", timeout: .seconds(5))
        #expect(source.name == "prometheus \(server.url)/prom" && source.url == server.url + "/prom")
        let query = #"sum(rate(http_requests_total{track="canary",code!~"5.."}[1m]))"#
        let series = try await source.query(query, at: 1_764_612_000.5)
        #expect(series == [MetricSeries(labels: ["track": "canary"], points: [MetricPoint(time: 1_764_612_000, value: 0.8)])])
        _ = try await source.queryRange(query, start: 1_764_611_000, end: 1_764_612_000, step: 15)
        let requests = server.requests.current
        #expect(requests.count == 2)
        #expect(requests[0].method == "GET" && requests[0].path == "/prom/api/v1/query")
        #expect(requests[0].form == ["query": query, "time": "1764612000.500"])
        #expect(requests[0].headers["accept"] == "application/json" && requests[0].headers["authorization"] == nil)
        #expect(requests[1].method == "GET" && requests[1].path == "/prom/api/v1/query_range")
        #expect(
            requests[1].form == ["query": query, "start": "1764611000.000", "end": "1764612000.000", "step": "15.000"])
    }

    @Test("a query whose form is over 2,000 bytes is POSTed form-encoded")
    func longQueryIsPosted() async throws {
        let server = try ScriptedHTTPServer(status: 200, body: Self.vector)
        defer { server.stop() }
        let source = try PrometheusSource(url: server.url)
        let query = "sum(rate(http_requests_total{route=~\"" + (1...300).map { "/r\($0)" }.joined(separator: "|") + "\"}[1m]))"
        _ = try await source.query(query, at: 1)
        let request = try #require(server.requests.current.first)
        #expect(request.method == "POST" && request.target == "/api/v1/query")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.form == ["query": query, "time": "1.000"])
    }

    enum Expected: Sendable {
        case unavailable(String)
        case rejected(reason: String, String)
    }

    @Test(
        "each answer is data, MetricsUnavailable (ask again later) or MetricsQueryRejected (fix the configuration)",
        arguments: [
            (
                400,
                #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error:\nunexpected"}"#,
                Expected.rejected(reason: "bad_data", "parse error: unexpected (bad_data, HTTP 400)")
            ),
            (
                422, #"{"status":"error","errorType":"execution","error":"found duplicate series for the match group"}"#,
                .rejected(reason: "execution", "can't evaluate it")
            ),
            (
                503, #"{"status":"error","errorType":"timeout","error":"query timed out"}"#,
                .unavailable("query timed out (timeout, HTTP 503)")
            ),
            (503, #"{"status":"error","errorType":"unavailable","error":"TSDB not ready"}"#, .unavailable("TSDB not ready")),
            (500, #"{"status":"error","errorType":"internal","error":"boom"}"#, .unavailable("boom (internal")),
            (500, #"{"status":"error","errorType":"new_kind","error":"x"}"#, .unavailable("x (new_kind")),
            (418, #"{"status":"error","errorType":"new_kind","error":"x"}"#, .rejected(reason: "new_kind", "refused it")),
            (401, "Unauthorized", .rejected(reason: "http 401", "HTTP 401: credentials are missing or refused")),
            (403, "", .rejected(reason: "http 403", "HTTP 403")),
            (404, "404 page not found", .rejected(reason: "http 404", "no Prometheus API at this URL")),
            (405, "", .rejected(reason: "http 405", "HTTP 405")),
            (429, "slow down", .unavailable("HTTP 429")),
            (408, "", .unavailable("HTTP 408")),
            (502, "<html>Bad Gateway</html>", .unavailable("HTTP 502; check that Prometheus is healthy")),
            (200, "<html>Grafana login</html>", .unavailable("HTTP 200 with an answer that isn't Prometheus's API (not JSON)")),
            (
                200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"high"]}]}}"#,
                .unavailable("the value 'high' is not a number")
            ),
            (
                500, #"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
                .unavailable("HTTP 500")
            ),
        ])
    func answers(status: Int, body: String, expected: Expected) async throws {
        let server = try ScriptedHTTPServer(status: status, body: body)
        defer { server.stop() }
        let source = try PrometheusSource(url: server.url, timeout: .seconds(5))
        let query = "sum(up)"
        do {
            let series = try await source.query(query, at: 1)
            Issue.record("\(status) \(body) gave data: \(series)")
        } catch let error as MetricsUnavailable {
            guard case .unavailable(let words) = expected else { throw error }
            #expect(error.message.hasPrefix("prometheus \(server.url): GET /api/v1/query 'sum(up)': "), "\(error.message)")
            #expect(error.message.contains(words), "\(error.message)")
            #expect(!error.message.contains("\n"))
        } catch let error as MetricsQueryRejected {
            guard case .rejected(let reason, let words) = expected else { throw error }
            #expect(error.reason == reason && error.query == query, "\(error.reason)")
            #expect(error.message.hasPrefix("prometheus \(server.url): GET /api/v1/query 'sum(up)': "), "\(error.message)")
            #expect(error.message.contains(words), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("a redirect isn't followed: rejected, its target shown without user-info or query values")
    func redirect() async throws {
        let server = try ScriptedHTTPServer(
            status: 302, body: "", headers: ["Location": "http://admin:hunter2@elsewhere.test/api/v1/query?token=abc123"])
        defer { server.stop() }
        let source = try PrometheusSource(url: server.url, authorization: .bearer(token: "tok-secret"))
        let error = await #expect(throws: MetricsQueryRejected.self) { try await source.query("up", at: 1) }
        #expect(server.requests.current.count == 1)
        let message = error?.message ?? ""
        #expect(message.contains("redirect to http://elsewhere.test/api/v1/query?token=redacted"), "\(message)")
        #expect(!message.contains("hunter2") && !message.contains("abc123") && !message.contains("tok-secret"))
    }

    @Test("warnings in an answer are passed on, one line each, with the data")
    func warnings() async throws {
        let server = try ScriptedHTTPServer(
            status: 200,
            body: #"{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["first\nwarning","second"]}"#)
        defer { server.stop() }
        let seen = Locked<[String]>([])
        let source = try PrometheusSource(url: server.url, warnings: { line in seen.withLock { $0.append(line) } })
        #expect(try await source.query("up", at: 1) == [])
        #expect(
            seen.current == [
                "prometheus \(server.url): warning for 'up': first warning", "prometheus \(server.url): warning for 'up': second",
            ])
    }

    @Test(
        "Basic (from the URL's user-info) and bearer credentials are sent and never shown: not in the name, errors, descriptions or dumps"
    )
    func credentials() async throws {
        let server = try ScriptedHTTPServer(status: 500, body: "internal")
        defer { server.stop() }
        let basic = try PrometheusSource(
            url: "http://berth:s3cret-pw@127.0.0.1:\(server.port)", headers: ["X-Scope-OrgID": "tenant-1"])
        let bearer = try PrometheusSource(
            url: server.url, headers: ["X-Api-Key": "key-secret"], authorization: .bearer(token: "tok-secret"))
        var shown: [String] = [basic.name, bearer.name, "\(basic)", "\(bearer)", String(reflecting: bearer)]
        var dumped = ""
        dump(bearer, to: &dumped)
        dump(basic, to: &dumped)
        dump(PrometheusAuthorization.basic(username: "u", password: "s3cret-pw"), to: &dumped)
        shown += [dumped, "\(PrometheusAuthorization.bearer(token: "tok-secret"))"]
        for source in [basic, bearer] {
            do { _ = try await source.query("up", at: 1) } catch { shown.append("\(error)") }
            do { _ = try await source.queryRange("up", start: 1, end: 2, step: 1) } catch { shown.append("\(error)") }
        }
        let requests = server.requests.current
        #expect(requests.count == 4)
        #expect(requests[0].headers["authorization"] == "Basic " + Data("berth:s3cret-pw".utf8).base64EncodedString())
        #expect(requests[0].headers["x-scope-orgid"] == "tenant-1")
        #expect(requests[2].headers["authorization"] == "Bearer tok-secret" && requests[2].headers["x-api-key"] == "key-secret")
        #expect(shown.count == 11)
        for text in shown {
            for secret in ["s3cret-pw", "tok-secret", "key-secret", Data("berth:s3cret-pw".utf8).base64EncodedString()] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }

    @Test(
        "settings berth won't use are refused (.usage), naming the problem and no secret",
        arguments: [
            ("ftp://127.0.0.1:9090", [String: String](), PrometheusAuthorization?.none, "not an http(s) URL"),
            ("127.0.0.1:9090", [:], nil, "not an http(s) URL"),
            ("http://127.0.0.1:9090/?token=abc", [:], nil, "has a query or fragment"),
            ("http://prometheus.example:9090", [:], .bearer(token: "tok-secret"), "plain http to a host that isn't loopback"),
            ("http://u:pw-secret@10.0.0.1:9090", [:], nil, "plain http to a host that isn't loopback"),
            ("http://10.0.0.1:9090", ["Authorization": "Bearer tok-secret"], nil, "plain http to a host that isn't loopback"),
            ("http://u:pw-secret@127.0.0.1:9090", [:], .bearer(token: "tok-secret"), "user-info and authorization"),
            ("http://127.0.0.1:9090", ["Bad Header": "x"], nil, "is not a header name"),
            ("http://127.0.0.1:9090", ["X-Tenant": "a\r\nInjected: tok-secret"], nil, "line break"),
            ("http://127.0.0.1:9090", ["Authorization": "Bearer tok-secret"], .bearer(token: "tok-secret"), "clashes"),
            ("http://127.0.0.1:9090", ["Host": "x"], nil, "set by berth"),
            ("http://127.0.0.1:9090", [:], .bearer(token: ""), "token is empty"),
            ("http://127.0.0.1:9090", [:], .basic(username: "a:b", password: "pw-secret"), "can't contain ':'"),
        ])
    func refusedSettings(url: String, headers: [String: String], authorization: PrometheusAuthorization?, expected: String) {
        do {
            _ = try PrometheusSource(url: url, headers: headers, authorization: authorization)
            Issue.record("\(url) was accepted")
        } catch let error as BerthError {
            #expect(error.kind == .usage && error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("secret") && !error.message.contains("abc"), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("https, loopback or an explicit allowance may carry credentials; a timeout must be positive")
    func acceptedSettings() throws {
        _ = try PrometheusSource(url: "https://prometheus.example/prom", authorization: .bearer(token: "t"))
        _ = try PrometheusSource(url: "http://localhost:9090", authorization: .basic(username: "u", password: "p"))
        _ = try PrometheusSource(url: "http://[::1]:9090", authorization: .basic(username: "u", password: "p"))
        _ = try PrometheusSource(
            url: "http://prometheus.example:9090", authorization: .bearer(token: "t"), allowInsecureCredentials: true)
        _ = try PrometheusSource(url: "http://prometheus.example:9090", headers: ["X-Scope-OrgID": "t"])
        #expect(throws: BerthError.self) { try PrometheusSource(url: "http://127.0.0.1:9090", timeout: .zero) }
    }

    @Test("a server that accepts and never answers: MetricsUnavailable saying the 1 s timeout passed, not a hang")
    func stall() async throws {
        let server = try ScriptedHTTPServer { _ in nil }
        defer { server.stop() }
        let source = try PrometheusSource(url: server.url, timeout: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: MetricsUnavailable.self) { try await source.query("up", at: 1) }
        let elapsed = clock.now - start
        // The message says the timeout ended it. How soon after 1 s depends on the machine: with other
        // suites holding the cooperative threads (2 here), resuming took 8 s; the bound catches a hang.
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(30), "\(elapsed)")
        #expect(error?.message.contains("no answer within 1 s") == true, "\(error?.message ?? "")")
    }

    @Test("a refused connection: MetricsUnavailable at once, saying so and what to check")
    func refused() async throws {
        let refusing = try RefusingPort()
        let source = try PrometheusSource(url: "http://\(refusing.host)", timeout: .seconds(60))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: MetricsUnavailable.self) { try await source.query("up", at: 1) }
        // "connection refused", not the 60 s timeout: it failed at once (the bound allows for a busy machine).
        #expect(clock.now - start < .seconds(30))
        #expect(
            error?.message
                == "prometheus http://\(refusing.host): GET /api/v1/query 'up': connection refused; check that Prometheus runs at that address and is reachable from here",
            "\(error?.message ?? "")")
    }
}
