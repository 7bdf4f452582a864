import BerthOCI

/// A gate decision as the ledger holds it (`gate-evaluated`).
public struct GateRecord: Hashable, Sendable {
    public var repository: String
    public var version: String?
    public var digest: Digest
    public var environment: String?
    public var gitSHA: String?
    public var outcome: GateDecision.Outcome
    public var counts: [Severity: Int]
    public var reasons: [String]
    public var excepted: [String]
    public var report: String
    public var scanner: String
    public var reportFile: String
    /// The ledger event, once recorded.
    public var eventID: Int64?

    public init(
        decision: GateDecision, repository: String, version: String?, environment: String?, gitSHA: String?, reportFile: String
    ) {
        self.repository = repository
        self.version = version
        digest = decision.image
        self.environment = environment
        self.gitSHA = gitSHA
        outcome = decision.outcome
        counts = decision.counts
        reasons = decision.reasons
        excepted = decision.excepted
        report = decision.report.description
        scanner = decision.scanner.rawValue
        self.reportFile = reportFile
    }

    /// Reads a `gate-evaluated` event; nil for another kind or one without a digest or outcome.
    public init?(_ event: LedgerEvent) {
        guard event.kind == .gateEvaluated, let digest = event.digest.flatMap(Digest.init),
            let outcome = event.details[DetailKey.outcome].flatMap(GateDecision.Outcome.init(rawValue:))
        else { return nil }
        repository = event.repository
        version = event.version
        self.digest = digest
        environment = event.environment
        gitSHA = event.gitSHA
        self.outcome = outcome
        counts = Dictionary(
            uniqueKeysWithValues: Severity.allCases.compactMap { severity in
                event.details[DetailKey.count(severity)].flatMap(Int.init).map { (severity, $0) }
            })
        reasons = Self.list(event.details[DetailKey.reasons])
        excepted = Self.list(event.details[DetailKey.excepted])
        report = event.details[DetailKey.report] ?? ""
        scanner = event.details[DetailKey.scanner] ?? ""
        reportFile = event.details[DetailKey.reportFile] ?? ""
        eventID = event.id
    }

    /// Whether it applies to `environment` (a decision made for no environment applies to all).
    public func applies(to environment: String?) -> Bool {
        self.environment == nil || environment == nil || self.environment == environment
    }

    public func event(actor: String, time: Double) -> LedgerEvent {
        var details = [
            DetailKey.outcome: outcome.rawValue, DetailKey.report: report, DetailKey.scanner: scanner,
            DetailKey.reasons: reasons.joined(separator: "; "), DetailKey.excepted: excepted.joined(separator: "; "),
            DetailKey.reportFile: reportFile,
        ]
        for severity in Severity.allCases { details[DetailKey.count(severity)] = String(counts[severity] ?? 0) }
        return LedgerEvent(
            kind: .gateEvaluated, repository: repository, version: version, digest: digest.description, environment: environment,
            gitSHA: gitSHA, actor: actor, time: time, reason: reasons.first, details: details)
    }

    static func list(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return text.components(separatedBy: "; ")
    }
}
