import BerthCore
import Foundation
import Testing

@testable import BerthMetrics

/// Prometheus's JSON envelope read strictly, from bodies recorded from Prometheus 2.42 (and the API
/// documentation's examples): every result type, NaN and the infinities, errors, and what isn't the API.
@Suite("Prometheus's JSON envelope, read strictly")
struct PrometheusResponseTests {
    func parse(_ body: String) throws -> PrometheusResponse { try PrometheusResponse.parse(Data(body.utf8)) }

    func series(_ body: String) throws -> ([MetricSeries], [String]) {
        guard case .success(let series, let warnings) = try parse(body) else {
            Issue.record("not a success: \(body)")
            return ([], [])
        }
        return (series, warnings)
    }

    func malformed(_ body: String) -> String? {
        do {
            _ = try parse(body)
            return nil
        } catch let error as PrometheusResponse.Malformed {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    @Test("a vector: one series per element, labels and [time, \"value\"]")
    func vector() throws {
        let (series, warnings) = try series(
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"gin","track":"canary"},"value":[1764612000.123,"1"]},{"metric":{},"value":[1764612000.123,"0.8125"]}]}}"#
        )
        #expect(warnings.isEmpty)
        #expect(
            series == [
                MetricSeries(
                    labels: ["__name__": "up", "job": "gin", "track": "canary"],
                    points: [MetricPoint(time: 1_764_612_000.123, value: 1)]),
                MetricSeries(labels: [:], points: [MetricPoint(time: 1_764_612_000.123, value: 0.8125)]),
            ])
    }

    @Test("an empty vector is no series, not an error")
    func emptyVector() throws {
        #expect(try series(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#).0 == [])
    }

    @Test("NaN, +Inf and -Inf are values (0/0 with no traffic, a quantile past the last bucket)")
    func specialValues() throws {
        let (series, _) = try series(
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"NaN"]},{"metric":{"a":"2"},"value":[1,"+Inf"]},{"metric":{"a":"3"},"value":[1,"-Inf"]},{"metric":{"a":"4"},"value":[1,"1e-05"]},{"metric":{"a":"5"},"value":[1,"-2.5E+3"]}]}}"#
        )
        let values = series.map { $0.points[0].value }
        #expect(values.count == 5)
        #expect(values[0].isNaN)
        #expect(values[1] == .infinity && values[2] == -.infinity && values[3] == 0.00001 && values[4] == -2500)
    }

    @Test("a matrix: each series with all its points in order")
    func matrix() throws {
        let (series, _) = try series(
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"track":"stable"},"values":[[1764612000,"1"],[1764612005,"0.99"],[1764612010,"NaN"]]}]}}"#
        )
        #expect(series.count == 1 && series[0].labels == ["track": "stable"])
        #expect(series[0].points.map(\.time) == [1_764_612_000, 1_764_612_005, 1_764_612_010])
        #expect(series[0].points[1].value == 0.99 && series[0].points[2].value.isNaN)
    }

    @Test("a scalar is one series without labels")
    func scalar() throws {
        let (series, _) = try series(#"{"status":"success","data":{"resultType":"scalar","result":[1764612000.5,"0.8"]}}"#)
        #expect(series == [MetricSeries(labels: [:], points: [MetricPoint(time: 1_764_612_000.5, value: 0.8)])])
    }

    @Test("a string result is read only when it is a number")
    func string() throws {
        #expect(try series(#"{"status":"success","data":{"resultType":"string","result":[1,"42"]}}"#).0[0].points[0].value == 42)
        let reason = malformed(#"{"status":"success","data":{"resultType":"string","result":[1,"hello"]}}"#)
        #expect(reason?.contains("'hello' is not a number") == true, "\(reason ?? "parsed")")
    }

    @Test("warnings come with the data")
    func warnings() throws {
        let (series, warnings) = try series(
            #"{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["PromQL warning: encountered a mix of histograms and floats for metric name \"x\""],"infos":["ignored"],"stats":{}}"#
        )
        #expect(series == [] && warnings == [#"PromQL warning: encountered a mix of histograms and floats for metric name "x""#])
    }

    @Test("an error envelope gives its errorType and error")
    func errorEnvelope() throws {
        let response = try parse(
            #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:14: parse error: unclosed left parenthesis"}"#
        )
        #expect(
            response
                == .failure(
                    errorType: "bad_data", error: #"invalid parameter "query": 1:14: parse error: unclosed left parenthesis"#))
        #expect(
            try parse(#"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#)
                == .failure(errorType: "timeout", error: "query timed out in expression evaluation"))
    }

    @Test(
        "what isn't the API's envelope is refused, saying where",
        arguments: [
            ("<html><body>Login</body></html>", "not JSON"),
            ("", "not JSON"),
            (#"{"status":"success","data":{"resultType":"vector","result":[]}"#, "not JSON"),
            (#"[]"#, "the top level"),
            (#"{"data":{}}"#, "'status' is missing"),
            (#"{"status":"ok","data":{"resultType":"vector","result":[]}}"#, "'status' is 'ok'"),
            (#"{"status":"success"}"#, "no 'data'"),
            (#"{"status":"error","error":"x"}"#, "'errorType' or 'error' is missing"),
            (#"{"status":"success","data":{"resultType":"table","result":[]}}"#, "resultType 'table'"),
            (#"{"status":"success","data":{"result":[]}}"#, "'resultType' is missing"),
            (#"{"status":"success","data":{"resultType":"vector","result":{}}}"#, "at data.result"),
            (#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]}]}}"#, "'metric' is missing"),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,1]}]}}"#,
                "at data.result[0].value"
            ),
            (#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","1"]}]}}"#, "not a number"),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}}"#,
                "data.result[0].value"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1","x"]}]}}"#,
                "more than [time"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1.2.3"]}]}}"#,
                "'1.2.3' is not a number"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"nan"]}]}}"#,
                "'nan' is not a number"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0x10"]}]}}"#,
                "'0x10' is not a number"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"infinity"]}]}}"#,
                "not a number"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,""]}]}}"#,
                "'' is not a number"
            ),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}}"#,
                "data.result[0].metric"
            ),
            (
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"value":[1,"1"]}]}}"#,
                "'values' is missing"
            ),
            (#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"],"x":1},"warnings":"w"}"#, "warnings"),
            (
                #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"2","sum":"1"}]}]}}"#,
                "native histogram"
            ),
        ])
    func garbage(body: String, expected: String) {
        let reason = malformed(body)
        #expect(reason?.contains(expected) == true, "\(body) → \(reason ?? "parsed")")
    }

    @Test(
        "sample values: decimals and Prometheus's spellings of NaN and infinity, nothing else",
        arguments: [
            ("0", 0.0), ("1", 1), ("-1", -1), ("+1", 1), ("0.5", 0.5), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("1E-3", 0.001),
            ("+Inf", .infinity), ("Inf", .infinity), ("-Inf", -.infinity), ("123456789.125", 123_456_789.125),
        ])
    func values(text: String, expected: Double) {
        #expect(PrometheusResponse.value(text) == expected)
    }

    @Test(
        "not sample values",
        arguments: ["", "-", ".", "1e", "1e+", "e3", "0x1p3", "nan", "NAN", "inf", "+inf", "1_000", " 1", "1 ", "١"])
    func notValues(text: String) {
        #expect(PrometheusResponse.value(text) == nil)
    }
}
