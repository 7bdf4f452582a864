import BerthCore

/// This process's webhook counters for `/metrics`: deliveries by receiver and outcome (accepted,
/// duplicate, ignored), failures by receiver and reason (unauthorized, oversize, malformed, unknown-type,
/// ledger, verification). Receiver labels are configured names (else `unknown`), so no request makes a series.
final class WebhookMetrics: Sendable {
    struct Series: Hashable, Comparable {
        let receiver: String
        let label: String
        static func < (lhs: Series, rhs: Series) -> Bool { (lhs.receiver, lhs.label) < (rhs.receiver, rhs.label) }
    }

    private let deliveries = Locked<[Series: Int]>([:])
    private let failures = Locked<[Series: Int]>([:])

    func delivered(_ receiver: String, _ outcome: String) {
        deliveries.withLock { $0[Series(receiver: receiver, label: outcome), default: 0] += 1 }
    }

    func failed(_ receiver: String, _ reason: String) {
        failures.withLock { $0[Series(receiver: receiver, label: reason), default: 0] += 1 }
    }

    var exposition: String {
        var text =
            "# HELP berth_webhook_deliveries_total Webhook deliveries this process answered with 2xx, by receiver and outcome.\n"
        text += "# TYPE berth_webhook_deliveries_total counter\n"
        for (series, count) in deliveries.current.sorted(by: { $0.key < $1.key }) {
            text +=
                "berth_webhook_deliveries_total{receiver=\"\(ServerMetrics.label(series.receiver))\",outcome=\"\(series.label)\"} \(count)\n"
        }
        text += "# HELP berth_webhook_failures_total Webhook deliveries refused or not verified, by receiver and reason.\n"
        text += "# TYPE berth_webhook_failures_total counter\n"
        for (series, count) in failures.current.sorted(by: { $0.key < $1.key }) {
            text +=
                "berth_webhook_failures_total{receiver=\"\(ServerMetrics.label(series.receiver))\",reason=\"\(series.label)\"} \(count)\n"
        }
        return text
    }
}
