import BerthOCI

import struct Foundation.Data

/// What `berth gate --harbor` judges: the registry's own vulnerability scan of an image, under a policy.
public struct RegistryScanGateRequest: Sendable {
    /// The image (`host/project/repo:tag` or `…@sha256:…`); its host is the registry that scanned it.
    public var image: String
    public var policy: GatePolicy
    /// The environment it is headed for: its naming rule applies to the image's tag.
    public var environment: EnvironmentPolicy?

    public init(image: String, policy: GatePolicy, environment: EnvironmentPolicy? = nil) {
        self.image = image
        self.policy = policy
        self.environment = environment
    }
}

extension GateService {
    /// The decision on the registry's scan, as it would be recorded; nothing is written. The image is
    /// read through the registry's API alone: a project policy that refuses pulls of a vulnerable image
    /// (Harbor's 412) refuses the manifest GET a report-based gate makes. A scan that is missing, not
    /// finished, partial or doesn't add up is `.badInput` (exit 65), never recorded.
    public func preview(_ request: RegistryScanGateRequest, source: any RegistryScanSource) async throws -> GateRecord {
        let reference: ImageReference
        do { reference = try ImageReference(parsing: request.image) } catch {
            throw BerthError(.badInput, error.description)
        }
        guard case .registry = reference.store else {
            throw BerthError(
                .usage,
                "--harbor reads a registry's own scan, and '\(request.image)' is an OCI layout: pass --report FILE instead")
        }
        let data = try await source.artifact(reference.repository, reference: reference.reference)
        let artifact = try HarborArtifact(parsing: data, name: request.image)
        if let asked = reference.digest, asked != artifact.digest {
            throw BerthError(
                .badInput,
                "Harbor answered for \(artifact.digest.short) when asked for '\(request.image)'; berth decides nothing on another image: check --harbor-url"
            )
        }
        guard let scan = artifact.scan else {
            throw BerthError(
                .badInput,
                "Harbor has no vulnerability scan of '\(request.image)' (\(artifact.digest.short)); berth decides nothing without one: scan it in Harbor (or turn on scan on push) and run berth gate again"
            )
        }
        let tagProblem = request.environment.flatMap { policy in
            reference.tag.flatMap { TagFormatGate.problem(tag: $0, environment: policy) }
        }
        let decision = try GateEvaluator.evaluate(
            summary: scan, image: artifact.digest, report: scan.reportDigest(of: artifact.digest, fallback: data),
            policy: request.policy, now: dependencies.time.now(), tagProblem: tagProblem)
        let repository = reference.ledgerName
        let known = try await dependencies.ledger.events(
            LedgerQuery(repository: repository, digest: decision.image.description)
        ).first { $0.version != nil && $0.kind != .gateEvaluated }
        return GateRecord(
            decision: decision, repository: repository, version: known?.version ?? artifact.version,
            environment: request.environment?.name, gitSHA: known?.gitSHA ?? artifact.revision,
            reportFile: "harbor scan \((scan.reportID ?? "without an id").prefix(80))")
    }

    /// Decides on the registry's scan and records it.
    public func run(_ request: RegistryScanGateRequest, source: any RegistryScanSource) async throws -> GateRecord {
        try await record(try await preview(request, source: source))
    }
}
