import BerthCore
import Hummingbird

/// `/metrics` in Prometheus's text format: this process's requests (count and latency by route, method
/// and status) and what the ledger holds (events by kind, the same on every replica). Routes are the
/// matched patterns (`/api/v1/services/{name}/history`), never raw paths, so no input makes a new series.
final class ServerMetrics: Sendable {
    /// Latency buckets, seconds (the targets are 20 ms for the API and 50 ms for the board).
    static let buckets: [Double] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    struct Series: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var total = 0
        var sum = 0.0
    }

    private let requests = Locked<[Series: Histogram]>([:])
    /// The webhook receivers' counters.
    let webhooks = WebhookMetrics()

    func record(route: String, method: String, status: Int, seconds: Double) {
        requests.withLock { all in
            var histogram = all[Series(route: route, method: method, status: status)] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.total += 1
            histogram.sum += seconds
            all[Series(route: route, method: method, status: status)] = histogram
        }
    }

    /// The kinds counted from the ledger.
    static let ledgerKinds: [LedgerEvent.Kind] = [
        .released, .promoted, .rolledBack, .approved, .gateEvaluated, .markedBad, .canaryAborted,
        .webhookReceived, .webhookVerified, .driftDetected,
    ]

    /// The exposition: requests, then ledger events by kind and gate decisions by outcome.
    func exposition(ledger: any LedgerStore) async throws -> String {
        var text = "# HELP berth_http_request_duration_seconds Requests served by this process, by route, method and status.\n"
        text += "# TYPE berth_http_request_duration_seconds histogram\n"
        let snapshot = requests.current.sorted {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }
        for (series, histogram) in snapshot {
            let labels = "route=\"\(Self.label(series.route))\",method=\"\(series.method)\",status=\"\(series.status)\""
            for (index, bound) in Self.buckets.enumerated() {
                text += "berth_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(histogram.counts[index])\n"
            }
            text += "berth_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.total)\n"
            text += "berth_http_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
            text += "berth_http_request_duration_seconds_count{\(labels)} \(histogram.total)\n"
        }
        text += webhooks.exposition
        // Read from the ledger on each scrape, so every replica reports the same totals.
        let events = try await ledger.events(LedgerQuery(kinds: Set(Self.ledgerKinds)))
        text += "# HELP berth_ledger_events The ledger's events by kind (all repositories).\n"
        text += "# TYPE berth_ledger_events gauge\n"
        for kind in Self.ledgerKinds {
            text += "berth_ledger_events{kind=\"\(kind.rawValue)\"} \(events.lazy.filter { $0.kind == kind }.count)\n"
        }
        text += "# HELP berth_gate_decisions The ledger's gate decisions by outcome.\n"
        text += "# TYPE berth_gate_decisions gauge\n"
        let gates = events.compactMap(GateRecord.init)
        for outcome in [GateDecision.Outcome.pass, .warn, .needsApproval, .block] {
            text += "berth_gate_decisions{outcome=\"\(outcome.rawValue)\"} \(gates.lazy.filter { $0.outcome == outcome }.count)\n"
        }
        return text
    }

    /// A label value escaped as the text format requires.
    static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Times every request into `ServerMetrics`.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        func seconds() -> Double {
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        do {
            let response = try await next(request, context)
            metrics.record(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
                seconds: seconds())
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status, seconds: seconds())
            throw error
        }
    }
}
