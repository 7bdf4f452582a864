import BerthCore
import Foundation
import Hummingbird

/// A page of a service's history as `/api/v1/services/{name}/history` and `/services/{name}` ask for it:
/// `environment`, `version`, `digest`, `kind` (comma-separated), `limit`, `before` (an event id).
struct HistoryQuery {
    /// The most events one page holds.
    static let maximumPage = 500

    let repository: String
    var query: LedgerQuery
    var limit = 50
    var before: Int64?

    /// Reads the path's percent-encoded repository and the query string; a `Refusal` says what is wrong.
    init(name raw: String, parameters: [String: String]) throws {
        repository = raw.removingPercentEncoding ?? raw
        // Tokens' and webhook deliveries' events live under their own repositories (`berth:…`), no service's history.
        guard !repository.isEmpty, !repository.hasPrefix("berth:") else {
            throw Refusal(status: .notFound, message: "no service '\(HTML.bounded(repository))': the board lists them")
        }
        query = LedgerQuery(repository: repository)
        query.environment = parameters["environment"].flatMap { $0.isEmpty ? nil : $0 }
        query.version = parameters["version"].flatMap { $0.isEmpty ? nil : $0 }
        query.digest = parameters["digest"].flatMap { $0.isEmpty ? nil : $0 }
        if let kinds = parameters["kind"], !kinds.isEmpty {
            var set = Set<LedgerEvent.Kind>()
            for name in kinds.split(separator: ",") {
                guard let kind = LedgerEvent.Kind(rawValue: String(name)), kind != .tokenCreated, kind != .tokenRevoked else {
                    throw Refusal(
                        status: .badRequest,
                        message: "kind '\(HTML.bounded(String(name)))' is not an event kind: docs/json.md lists them")
                }
                set.insert(kind)
            }
            query.kinds = set
        }
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...Self.maximumPage).contains(value) else {
                throw Refusal(status: .badRequest, message: "limit '\(HTML.bounded(String(text)))': use 1 to \(Self.maximumPage)")
            }
            limit = value
        }
        if let text = parameters["before"] {
            guard let value = Int64(text), value > 0 else {
                throw Refusal(
                    status: .badRequest, message: "before '\(HTML.bounded(String(text)))': use an event id from a page's next")
            }
            before = value
        }
    }

    /// A request's query parameters (the first of each name).
    static func parameters(_ request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where result[String(key)] == nil {
            result[String(key)] = String(value)
        }
        return result
    }

    /// The query string of this page's filters (without `limit` and `before`), for links.
    var filters: String {
        var items: [String] = []
        for (key, value) in [("environment", query.environment), ("version", query.version), ("digest", query.digest)] {
            if let value { items.append("\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
        }
        if let kinds = query.kinds { items.append("kind=\(kinds.map(\.rawValue).sorted().joined(separator: ","))") }
        return items.joined(separator: "&")
    }

    /// The page, newest first, and the query string of the next (older) one; nil on the last.
    func fetch(_ queries: LedgerQueries) async throws -> (events: [LedgerEvent], next: String?) {
        var query = self.query
        // The ledger port reads newest first with a limit; a page after `before` filters in memory.
        query.limit = before == nil ? limit + 1 : nil
        var events = try await queries.history(query)
        if let before { events = events.filter { ($0.id ?? 0) < before } }
        let page = Array(events.prefix(limit))
        guard events.count > limit, let last = page.last?.id else { return (page, nil) }
        return (page, "limit=\(limit)&before=\(last)" + (filters.isEmpty ? "" : "&" + filters))
    }
}
