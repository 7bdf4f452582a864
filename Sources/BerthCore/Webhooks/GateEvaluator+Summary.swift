import BerthOCI

extension GateEvaluator {
    /// Judges a registry's scan summary (Harbor's scan overview: counts per severity, no findings) under
    /// the same policy as a report. Exceptions name findings, so none can apply; a summary that isn't a
    /// finished scan, or counts a severity berth can't place, is `.badInput`, never a decision.
    public static func evaluate(
        summary: ScanSummary, image: Digest, report: Digest, policy: GatePolicy, now: Double
    ) throws(BerthError) -> GateDecision {
        guard summary.status.lowercased() == "success" else {
            throw BerthError(.badInput, "the registry's scan of \(image.short) ended '\(summary.status.prefix(40))', not Success")
        }
        if let unknown = summary.counts.keys.sorted().first(where: { Severity(reported: $0) == nil }) {
            throw BerthError(.badInput, "the registry's scan counts severity '\(unknown.prefix(40))', which berth doesn't know")
        }
        var reasons: [String] = []
        var outcome = GateDecision.Outcome.pass
        let counts = summary.severities
        judge(
            counts, policy: policy,
            raise: { to, reason in
                outcome = max(outcome, to)
                reasons.append(reason)
            }
        ) { _ in " (\(summary.scanner)'s summary)" }
        if let days = policy.maxReportAgeDays {
            if let completed = summary.completed {
                let age = (now - completed) / 86_400
                if age > Double(days) {
                    outcome = .block
                    reasons.append("the scan is \((age * 10).rounded(.down) / 10) days old (policy: at most \(days)); scan again")
                }
            } else {
                outcome = .block
                reasons.append("the scan has no end time, so its age (policy: at most \(days) days) can't be checked")
            }
        }
        return GateDecision(
            outcome: outcome, counts: counts, reasons: reasons, excepted: [], image: image, report: report, scanner: .harbor)
    }
}
