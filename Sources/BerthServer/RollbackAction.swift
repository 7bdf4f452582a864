import BerthCore
import BerthOCI
import Hummingbird

/// A rollback asked of the server: the same `RollbackService` as `berth rollback` (the last good release,
/// marking the current one bad), acting as the principal, refused when another digest runs than the caller
/// saw. `plan` only shows what would happen. Environments with a berth.yaml `deploy:` are left to the CLI.
struct RollbackAction {
    let dependencies: ServerDependencies

    func perform(_ body: APIDocuments.RollbackRequest, plan: Bool, as principal: Principal) async throws
        -> Result<APIDocuments.RollbackResult, Refusal>
    {
        let shown: Digest
        // Seeing the plan changes nothing: a viewer may; carrying it out takes a promoter.
        switch principal.check(plan ? .viewer : .promoter, environment: body.environment, shown: body.from) {
        case .success(let digest): shown = digest
        case .failure(let refusal): return .failure(refusal)
        }
        do {
            guard let service = try dependencies.rollback(as: principal) else {
                return .failure(Refusal(status: .notImplemented, message: "this server doesn't roll back: run berth rollback"))
            }
            guard service.deployments[body.environment] == nil else {
                return .failure(
                    Refusal(
                        status: .conflict,
                        message:
                            "\(HTML.bounded(body.environment)) deploys (berth.yaml deploy.\(HTML.bounded(body.environment))): roll it back with berth rollback, which deploys too"
                    ))
            }
            let preview = try await service.preview(
                RollbackRequest(
                    repository: body.repository, environment: body.environment, target: body.to, reason: body.reason))
            let steps = preview.plan
            guard steps.fromDigest == shown.description else {
                return .failure(
                    Refusal(
                        status: .conflict,
                        message:
                            "\(HTML.bounded(body.environment)) runs \(steps.fromDigest) now, not \(shown): reload the board and roll back what it shows"
                    ))
            }
            let outcome = plan ? nil : try await service.run(preview)
            return .success(
                APIDocuments.RollbackResult(
                    status: plan ? "plan" : "rolled-back", repository: body.repository, environment: body.environment,
                    fromVersion: steps.fromVersion, fromDigest: steps.fromDigest, toVersion: steps.toVersion,
                    toDigest: steps.toDigest, tags: steps.movingTags, clearance: steps.clearance, event: outcome?.event.id,
                    actor: outcome?.event.actor))
        } catch let error as BerthError {
            return .failure(Refusal(status: APIError.status(for: error.kind), message: error.message))
        }
    }
}
