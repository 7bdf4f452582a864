import BerthOCI

extension GateEvaluator {
    /// Judges a registry's scan summary (Harbor's scan overview: counts per severity, no findings) under
    /// the same policy as a report. Exceptions name findings, so none can apply. A summary that isn't a
    /// finished scan (`scan_status` other than Success), finished only in part (`complete_percent` below
    /// 100: Harbor calls an index's scan a Success once one platform's is), has no counts, counts other
    /// than its total, or a severity berth can't place is `.badInput`, never a decision.
    public static func evaluate(
        summary: ScanSummary, image: Digest, report: Digest, policy: GatePolicy, now: Double,
        tagProblem: String? = nil
    ) throws(BerthError) -> GateDecision {
        try checkComplete(summary, image: image)
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
        if let tagProblem {
            outcome = .block
            reasons.append(tagProblem)
        }
        return GateDecision(
            outcome: outcome, counts: counts, reasons: reasons, excepted: [], image: image, report: report, scanner: .harbor)
    }

    /// Refuses a summary that can't show every finding of a finished scan of the whole image.
    static func checkComplete(_ summary: ScanSummary, image: Digest) throws(BerthError) {
        let scan = "the registry's \(summary.scanner.prefix(40)) scan of \(image.short)"
        guard summary.status.lowercased() == "success" else {
            let status = String(reflecting: String(summary.status.prefix(40)))
            let hint =
                ["pending", "running", "scheduled"].contains(summary.status.lowercased())
                ? "wait for it to finish, then run berth gate again" : "scan the image again and wait for Success"
            throw BerthError(.badInput, "\(scan) is \(status), not Success; berth decides nothing on it: \(hint)")
        }
        if let percent = summary.completePercent, percent < 100 {
            throw BerthError(
                .badInput,
                "\(scan) is Success but only \(percent)% complete (platforms of an index went unscanned); berth decides nothing on part of an image: scan it again until it is 100% complete"
            )
        }
        guard let total = summary.total else {
            throw BerthError(
                .badInput, "\(scan) is Success but carries no summary of its findings; berth decides nothing on it: scan it again"
            )
        }
        if let unknown = summary.counts.keys.sorted().first(where: { Severity(reported: $0) == nil }) {
            throw BerthError(
                .badInput,
                "\(scan) counts severity \(String(reflecting: String(unknown.prefix(40)))), which berth doesn't know; it won't guess: check the registry's scanner"
            )
        }
        let counted = summary.counts.values.reduce(0, +)
        guard counted == total else {
            throw BerthError(
                .badInput,
                "\(scan) counts \(counted) findings by severity but a total of \(total); berth decides nothing on a summary that doesn't add up: scan it again"
            )
        }
    }
}
