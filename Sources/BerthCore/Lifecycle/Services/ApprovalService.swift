import BerthOCI
import Foundation

/// What `berth approve` is asked: approve `version` of `repository` for `environment`.
public struct ApprovalRequest: Sendable {
    public var repository: String
    public var version: String
    public var environment: String
    public var reason: String
    /// How long it holds, in seconds; nil: until the digest changes.
    public var validFor: Double?

    public init(repository: String, version: String, environment: String, reason: String, validFor: Double? = nil) {
        self.repository = repository
        self.version = version
        self.environment = environment
        self.reason = reason
        self.validFor = validFor
    }
}

/// What approving would do.
public enum ApprovalPreview: Sendable {
    /// The gate passed (or warned): there is nothing to approve.
    case notNeeded(GateRecord)
    /// The approval to record, bound to the digest and the gate decision.
    case approve(ApprovalRecord)
}

/// Records approvals bound to a digest and the gate decision they answer, for one environment. A blocked
/// decision can't be approved; one that passed needs no approval.
public struct ApprovalService: Sendable {
    public let dependencies: LifecycleDependencies

    public init(_ dependencies: LifecycleDependencies) { self.dependencies = dependencies }

    public func preview(_ request: ApprovalRequest) async throws -> ApprovalPreview {
        guard !request.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BerthError(.usage, "--reason is empty: say why this is approved")
        }
        _ = try FreeText.validated(request.reason, option: "--reason")
        let (ledger, repository) = (dependencies.ledger, request.repository)
        let version = try VersionArgument.validated(request.version)
        // The gate decisions about the version's digest (as released), else those recorded under the version.
        let released = try await ledger.events(
            LedgerQuery(repository: repository, version: version, kinds: [.released, .pushed, .built]))
        let gates = try await ledger.events(
            released.first?.digest.map { LedgerQuery(repository: repository, digest: $0, kinds: [.gateEvaluated]) }
                ?? LedgerQuery(repository: repository, version: version, kinds: [.gateEvaluated]))
        guard let newest = gates.first(where: { $0.environment == nil || $0.environment == request.environment }) else {
            throw BerthError(
                .failure,
                "no gate decision is recorded for \(repository) \(version): run berth gate --report FILE --image \(repository):TAG first"
            )
        }
        guard let gate = GateRecord(newest), let gateID = gate.eventID else {
            throw BerthError(
                .failure, "gate event \(newest.id ?? 0) for \(repository) \(version) can't be read; run berth gate again")
        }
        switch gate.outcome {
        case .block:
            throw BerthError(
                .blocked,
                "gate event \(gateID) blocked \(version) (\(gate.reasons.first ?? "")); a blocked release can't be approved: fix it, or add a dated exception in berth.yaml gates.ignore"
            )
        case .pass, .warn:
            return .notNeeded(gate)
        case .needsApproval:
            return .approve(
                ApprovalRecord(
                    repository: repository, version: version, digest: gate.digest, environment: request.environment,
                    gitSHA: gate.gitSHA, gateEvent: gateID, gateOutcome: gate.outcome,
                    expires: request.validFor.map { dependencies.time.now() + $0 }, reason: request.reason))
        }
    }

    /// Records the approval a preview found needed; returns it with its event id.
    public func run(_ preview: ApprovalPreview) async throws -> ApprovalPreview {
        guard case .approve(var approval) = preview else { return preview }
        let event = try await dependencies.ledger.append(
            approval.event(actor: dependencies.actor, time: dependencies.time.now()))
        approval.eventID = event.id
        approval.actor = event.actor
        return .approve(approval)
    }

    /// `90m`, `12h`, `7d` in seconds.
    public static func duration(_ text: String) throws(BerthError) -> Double {
        let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()), value > 0, value.isFinite,
            value * unit < 100 * 365 * 86_400
        else {
            throw BerthError(.usage, "--expires '\(text)': use a number and m, h or d (90m, 12h, 7d), under 100 years")
        }
        return value * unit
    }
}
