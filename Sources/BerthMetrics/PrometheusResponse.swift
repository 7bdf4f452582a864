import BerthCore
import Foundation

/// Prometheus's JSON API envelope, read strictly: `{"status":"success","data":{"resultType":…,"result":…},
/// "warnings":[…]}` or `{"status":"error","errorType":…,"error":…}`. Values are `[time, "text"]` pairs,
/// the text a decimal number, `NaN`, `+Inf` or `-Inf`. Anything else is a `Malformed` with where and
/// what, so an answer berth can't read is never taken for data (fail closed). Keys berth doesn't use
/// (`stats`, `infos`) are ignored.
enum PrometheusResponse: Equatable {
    /// `status: success`: the series (a scalar or string result is one series without labels) and any
    /// warnings Prometheus added.
    case success([MetricSeries], warnings: [String])
    /// `status: error`.
    case failure(errorType: String, error: String)

    /// Why a body isn't Prometheus's envelope.
    struct Malformed: Error, Equatable, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Reads a body; throws `Malformed`.
    static func parse(_ body: Data) throws -> PrometheusResponse {
        // JSONDecoder's words for a body that isn't JSON at all differ between platforms; ask first.
        guard (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil else {
            throw Malformed(reason: "not JSON")
        }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch let error as DecodingError {
            throw Malformed(reason: describe(error))
        } catch let error as Malformed {
            throw error
        } catch {
            throw Malformed(reason: "not JSON")
        }
        switch envelope.status {
        case "success":
            guard let data = envelope.data else { throw Malformed(reason: "'status' is success but there is no 'data'") }
            return .success(data.series, warnings: envelope.warnings ?? [])
        case "error":
            guard let errorType = envelope.errorType, let error = envelope.error else {
                throw Malformed(reason: "'status' is error but 'errorType' or 'error' is missing")
            }
            return .failure(errorType: errorType, error: error)
        default:
            throw Malformed(reason: "'status' is '\(oneLine(envelope.status, limit: 40))', not success or error")
        }
    }

    /// A sample's text as a number: a decimal (`0.81`, `-2`, `1e-05`), `NaN`, `+Inf`, `-Inf` (also `Inf`).
    /// Nil for anything else: Swift's own parser would also take `nan(0x1)`, `infinity` or hex floats.
    static func value(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: break
        }
        var rest = Substring(text)
        if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
        let mantissaEnd = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) ?? rest.endIndex
        let mantissa = rest[..<mantissaEnd]
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.contains(where: { !$0.isEmpty }),
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) })
        else { return nil }
        if mantissaEnd < rest.endIndex {
            var exponent = rest[rest.index(after: mantissaEnd)...]
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy(\.isASCIIDigit) else { return nil }
        }
        return Double(text)
    }

    /// `text` on one line (runs of whitespace become one space), at most `limit` characters.
    static func oneLine(_ text: String, limit: Int = 300) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        let printable = String(words.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return printable.count > limit ? String(printable.prefix(limit)) + "…" : printable
    }

    /// A decoding error as `at data.result[0].value: why`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "the top level" : out
        }
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty && context.underlyingError != nil { return "not JSON" }
            return "at \(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "at \(path(context.codingPath)): '\(key.stringValue)' is missing"
        case .typeMismatch(let type, let context):
            return "at \(path(context.codingPath)): not \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "at \(path(context.codingPath)): null where \(typeName(type)) belongs"
        @unknown default:
            return "not Prometheus's API answer"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type: "a number"
        case is [String: String].Type: "an object of strings"
        case is [String].Type: "an array of strings"
        default: "what the API defines"
        }
    }

    struct Envelope: Decodable {
        let status: String
        let data: ResultData?
        let errorType: String?
        let error: String?
        let warnings: [String]?
    }

    /// `data`: its `resultType` decides how `result` reads.
    struct ResultData: Decodable {
        let series: [MetricSeries]

        enum Keys: String, CodingKey { case resultType, result }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            let type = try container.decode(String.self, forKey: .resultType)
            switch type {
            case "vector":
                series = try container.decode([InstantSeries].self, forKey: .result).map(\.series)
            case "matrix":
                series = try container.decode([RangeSeries].self, forKey: .result).map(\.series)
            case "scalar", "string":
                // A string result must still be a number berth can judge.
                let sample = try container.decode(Sample.self, forKey: .result)
                series = [MetricSeries(labels: [:], points: [sample.point])]
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .resultType, in: container,
                    debugDescription:
                        "resultType '\(PrometheusResponse.oneLine(type, limit: 40))' is not vector, matrix, scalar or string")
            }
        }
    }

    /// A vector's series: `{"metric":{…},"value":[t,"v"]}`; a native histogram sample is refused.
    struct InstantSeries: Decodable {
        let series: MetricSeries

        enum Keys: String, CodingKey { case metric, value, histogram }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            if container.contains(.histogram) {
                throw DecodingError.dataCorruptedError(
                    forKey: .histogram, in: container,
                    debugDescription:
                        "a native histogram sample; berth reads numbers: wrap the query in histogram_quantile, histogram_count or histogram_sum"
                )
            }
            let labels = try container.decode([String: String].self, forKey: .metric)
            series = MetricSeries(labels: labels, points: [try container.decode(Sample.self, forKey: .value).point])
        }
    }

    /// A matrix's series: `{"metric":{…},"values":[[t,"v"],…]}`; native histogram samples are refused.
    struct RangeSeries: Decodable {
        let series: MetricSeries

        enum Keys: String, CodingKey { case metric, values, histograms }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            if container.contains(.histograms) {
                throw DecodingError.dataCorruptedError(
                    forKey: .histograms, in: container,
                    debugDescription:
                        "native histogram samples; berth reads numbers: wrap the query in histogram_quantile, histogram_count or histogram_sum"
                )
            }
            let labels = try container.decode([String: String].self, forKey: .metric)
            series = MetricSeries(labels: labels, points: try container.decode([Sample].self, forKey: .values).map(\.point))
        }
    }

    /// `[1700000000.123, "0.81"]`: exactly a number and a string.
    struct Sample: Decodable {
        let point: MetricPoint

        init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            let time = try container.decode(Double.self)
            let text = try container.decode(String.self)
            guard container.isAtEnd else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "a sample has more than [time, \"value\"]"))
            }
            guard time.isFinite else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "the time is not finite"))
            }
            guard let value = PrometheusResponse.value(text) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription:
                            "the value '\(PrometheusResponse.oneLine(text, limit: 40))' is not a number, NaN, +Inf or -Inf"))
            }
            point = MetricPoint(time: time, value: value)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
