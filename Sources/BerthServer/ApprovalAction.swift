import BerthCore
import BerthOCI
import Hummingbird

/// An approval asked of the server (the API or the board's form): the same `ApprovalService` as
/// `berth approve`, acting as the principal, refused when the caller was shown another digest or gate
/// decision than the ledger holds now.
struct ApprovalAction {
    let dependencies: ServerDependencies

    func perform(_ body: APIDocuments.ApprovalRequest, as principal: Principal) async throws
        -> Result<APIDocuments.ApprovalResult, Refusal>
    {
        let shown: Digest
        switch principal.check(.approver, environment: body.environment, shown: body.digest) {
        case .success(let digest): shown = digest
        case .failure(let refusal): return .failure(refusal)
        }
        do {
            let order = dependencies.environmentOrder
            guard order.isEmpty || order.contains(body.environment) else {
                throw BerthError(
                    .usage,
                    "environment '\(HTML.bounded(body.environment))' is not in berth.yaml: use one of \(order.joined(separator: ", "))"
                )
            }
            let validFor = try body.expires.map { text throws(BerthError) in try ApprovalService.duration(text) }
            let service = dependencies.approvals(as: principal)
            let preview = try await service.preview(
                ApprovalRequest(
                    repository: body.repository, version: body.version, environment: body.environment, reason: body.reason,
                    validFor: validFor))
            switch preview {
            case .notNeeded(let gate):
                return .success(
                    APIDocuments.ApprovalResult(
                        status: "not-needed", repository: body.repository, version: body.version, environment: body.environment,
                        digest: gate.digest.description, gate: gate.eventID, event: nil, actor: nil))
            case .approve(let record):
                guard record.digest == shown else {
                    return .failure(
                        Refusal(
                            status: .conflict,
                            message:
                                "\(HTML.bounded(body.version)) is \(record.digest) now, not \(shown): reload the board and approve what it shows"
                        ))
                }
                if let gate = body.gate, gate != record.gateEvent {
                    return .failure(
                        Refusal(
                            status: .conflict,
                            message:
                                "the gate decision is event \(record.gateEvent) now, not \(gate): reload the board and approve what it shows"
                        ))
                }
                guard case .approve(let approval) = try await service.run(preview) else {
                    return .failure(Refusal(status: .internalServerError, message: "the approval was not recorded: try again"))
                }
                return .success(
                    APIDocuments.ApprovalResult(
                        status: "approved", repository: approval.repository, version: approval.version,
                        environment: approval.environment, digest: approval.digest.description, gate: approval.gateEvent,
                        event: approval.eventID, actor: approval.actor))
            }
        } catch let error as BerthError {
            return .failure(Refusal(status: APIError.status(for: error.kind), message: error.message))
        }
    }
}
