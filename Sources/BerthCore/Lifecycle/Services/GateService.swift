import BerthOCI

import struct Foundation.Data

/// What `berth gate` judges: a scan report about an image, under a policy.
public struct GateRequest: Sendable {
    /// The report's bytes (trivy --format json, grype -o json) and a name for messages (its path).
    public var report: Data
    public var reportName: String
    /// The image the report is about (`host/repo:tag`, `…@sha256:…`, `oci:PATH:tag`).
    public var image: String
    public var policy: GatePolicy
    /// The environment it is headed for: its naming rule applies to the image's tag.
    public var environment: EnvironmentPolicy?
    /// The severities the scan was limited to (trivy --severity), when it was.
    public var reportSeverities: Set<Severity>?

    public init(
        report: Data, reportName: String, image: String, policy: GatePolicy, environment: EnvironmentPolicy? = nil,
        reportSeverities: Set<Severity>? = nil
    ) {
        self.report = report
        self.reportName = reportName
        self.image = image
        self.policy = policy
        self.environment = environment
        self.reportSeverities = reportSeverities
    }
}

/// Judges an image by its scan report and records the decision (`gate-evaluated`). A report that can't
/// be read completely, or is about another image, is `.badInput` and never recorded.
public struct GateService: Sendable {
    public let dependencies: LifecycleDependencies

    public init(_ dependencies: LifecycleDependencies) { self.dependencies = dependencies }

    /// The decision, as it would be recorded; nothing is written.
    public func preview(_ request: GateRequest) async throws -> GateRecord {
        let scan = try ScanReport(parsing: request.report, name: request.reportName)
        let (reference, store) = try dependencies.repository(request.image)
        let facts = try await ImageFacts.read(reference, store: store)
        let tagProblem = request.environment.flatMap { policy in
            reference.tag.flatMap { TagFormatGate.problem(tag: $0, environment: policy) }
        }
        let decision = try GateEvaluator.evaluate(
            scan, reportName: request.reportName, image: facts.identity, policy: request.policy, now: dependencies.time.now(),
            reportSeverities: request.reportSeverities, tagProblem: tagProblem)
        // The version the ledger knows this digest by (a release), else the image's own label.
        let known = try await dependencies.ledger.events(
            LedgerQuery(repository: facts.repository, digest: decision.image.description)
        ).first { $0.version != nil && $0.kind != .gateEvaluated }
        return GateRecord(
            decision: decision, repository: facts.repository, version: known?.version ?? facts.version,
            environment: request.environment?.name, gitSHA: known?.gitSHA ?? facts.revision,
            reportFile: request.reportName.split(separator: "/").last.map(String.init) ?? request.reportName)
    }

    /// Decides and records.
    public func run(_ request: GateRequest) async throws -> GateRecord {
        try await record(try await preview(request))
    }

    /// Records a previewed decision.
    public func record(_ decision: GateRecord) async throws -> GateRecord {
        let event = try await dependencies.ledger.append(
            decision.event(actor: dependencies.actor, time: dependencies.time.now()))
        var recorded = decision
        recorded.eventID = event.id
        return recorded
    }
}
