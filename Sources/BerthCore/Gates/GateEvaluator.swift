import BerthOCI

/// What a gate knows about the image: every digest a report may name for it.
public struct ImageIdentity: Hashable, Sendable {
    /// The digest tags point at (an index for a multi-platform image).
    public let digest: Digest
    /// That digest and, for an index, each platform's manifest.
    public let manifestDigests: Set<Digest>
    /// Each platform's config digest (what `docker images` and Trivy call the image ID).
    public let configDigests: Set<Digest>

    public init(digest: Digest, manifestDigests: Set<Digest>, configDigests: Set<Digest>) {
        self.digest = digest
        self.manifestDigests = manifestDigests.union([digest])
        self.configDigests = configDigests
    }
}

/// Turns a scan report into a `GateDecision` under a `GatePolicy`. Pure: the clock and the image's
/// digests come in as values.
public enum GateEvaluator {
    /// - Parameters:
    ///   - reportSeverities: the severities the scan was limited to (Trivy `--severity`), when known.
    ///   - tagProblem: a tag-format finding (the environment's naming rule), which blocks.
    public static func evaluate(
        _ report: ScanReport, reportName: String, image: ImageIdentity, policy: GatePolicy, now: Double,
        reportSeverities: Set<Severity>? = nil, tagProblem: String? = nil
    ) throws(BerthError) -> GateDecision {
        try checkSubject(report, name: reportName, image: image)
        try checkCompleteness(report, name: reportName, policy: policy, declared: reportSeverities)

        var reasons: [String] = []
        var outcome = GateDecision.Outcome.pass
        func raise(_ to: GateDecision.Outcome, _ reason: String) {
            outcome = max(outcome, to)
            reasons.append(reason)
        }

        var excepted: [String] = []
        var counted: [ScanReport.Finding] = []
        for finding in report.findings {
            if finding.kind == .secret, !policy.countSecrets {
                excepted.append("secret \(finding.id) in \(finding.package) (\(finding.severity); gates.count_secrets is false)")
                continue
            }
            if let exception = policy.exceptions.first(where: { $0.id == finding.id }) {
                if let expiry = exception.expiry, now <= expiry {
                    excepted.append("\(finding.id) (until \(exception.until): \(exception.reason))")
                    continue
                }
                raise(.warn, "the exception for \(finding.id) expired on \(exception.until); it counts again")
            }
            counted.append(finding)
        }
        let counts = ScanReport.counts(counted)
        judge(counts, policy: policy, raise: raise) { severity in
            let ids = counted.filter { $0.severity == severity }.map(\.id)
            return " (" + ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? ", …" : "") + ")"
        }
        if let days = policy.maxReportAgeDays {
            if let created = report.created {
                let age = (now - created) / 86_400
                if age > Double(days) {
                    let shown = (age * 10).rounded(.down) / 10
                    raise(.block, "the report is \(shown) days old (policy: at most \(days)); scan the image again")
                }
            } else {
                raise(.block, "the report has no creation time, so its age (policy: at most \(days) days) can't be checked")
            }
        }
        if let tagProblem { raise(.block, tagProblem) }
        return GateDecision(
            outcome: outcome, counts: counts, reasons: reasons, excepted: excepted, image: image.digest, report: report.digest,
            scanner: report.scanner)
    }

    /// Each severity's count under the policy's rule for it, most severe first; `sample` names a few of
    /// the findings (` (CVE-…, …)`), or nothing when only counts are known.
    static func judge(
        _ counts: [Severity: Int], policy: GatePolicy, raise: (GateDecision.Outcome, String) -> Void,
        sample: (Severity) -> String
    ) {
        for severity in Severity.allCases.reversed() {
            let count = counts[severity] ?? 0
            guard count > 0 else { continue }
            let named = "\(count) \(severity)\(sample(severity))"
            switch policy.rule(for: severity) {
            case .ignore: continue
            case .warn: raise(.warn, "\(named): warning")
            case .block: raise(.block, "\(named): blocked (policy: any \(severity) blocks)")
            case .approve(let limit):
                if count > limit {
                    raise(.block, "\(named): blocked (policy: more than \(limit) blocks)")
                } else {
                    raise(.needsApproval, "\(named): needs an approval (policy: up to \(limit) with approval)")
                }
            }
        }
    }

    /// The report must name the image: one of its manifest digests or config digests.
    static func checkSubject(_ report: ScanReport, name: String, image: ImageIdentity) throws(BerthError) {
        let subject = report.subject
        let matches =
            subject.configDigest.map(image.configDigests.contains) ?? false
            || subject.manifestDigests.contains(where: image.manifestDigests.contains)
        guard !matches else { return }
        let named = ([subject.configDigest].compactMap { $0 } + subject.manifestDigests).map(\.short)
        throw BerthError(
            .badInput,
            "report '\(name)' is about \(subject.kind) '\(subject.name)'\(named.isEmpty ? " with no image digest" : " (\(named.joined(separator: ", ")))"), not image \(image.digest.short): scan this image by digest (trivy image REPO@\(image.digest)) and pass that report"
        )
    }

    /// A report limited to some severities can't prove the counts of the others.
    static func checkCompleteness(_ report: ScanReport, name: String, policy: GatePolicy, declared: Set<Severity>?)
        throws(BerthError)
    {
        let scanned: Set<Severity>
        if let declared {
            scanned = declared
        } else if report.scanner == .trivy, let lowest = report.findings.map(\.severity).filter({ $0 != .unknown }).min(),
            lowest > .low
        {
            // Trivy doesn't record --severity; a report whose findings all sit at HIGH and above looks
            // like `--severity HIGH,CRITICAL`, and can't show the levels below.
            scanned = Set(Severity.allCases.filter { $0 >= lowest })
        } else {
            return
        }
        let missing = policy.neededSeverities.filter { !scanned.contains($0) && $0 != .unknown }.sorted(by: >)
        guard !missing.isEmpty else { return }
        throw BerthError(
            .badInput,
            "report '\(name)' covers only \(scanned.sorted().reversed().map { $0.description.uppercased() }.joined(separator: ",")) (a scan filtered with --severity?), but the gate policy needs \(missing.map { $0.description.uppercased() }.joined(separator: ", ")): scan without --severity, or pass --report-severity to say what was scanned"
        )
    }
}
