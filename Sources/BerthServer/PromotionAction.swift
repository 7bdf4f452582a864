import BerthCore
import BerthOCI
import Hummingbird

/// A promotion asked of the server: the same `PromotionService` as `berth promote` (order, gates,
/// approvals, bad marks and signatures decide), acting as the principal, refused when the caller was shown
/// another digest. Environments with a berth.yaml `deploy:` are left to the CLI: the server doesn't run
/// kubectl or commit to the repository.
struct PromotionAction {
    let dependencies: ServerDependencies

    func perform(_ body: APIDocuments.PromotionRequest, as principal: Principal) async throws
        -> Result<APIDocuments.PromotionResult, Refusal>
    {
        let shown: Digest
        switch principal.check(.promoter, environment: body.environment, shown: body.digest) {
        case .success(let digest): shown = digest
        case .failure(let refusal): return .failure(refusal)
        }
        do {
            guard let service = try dependencies.promotion(as: principal) else {
                return .failure(
                    Refusal(status: .notImplemented, message: "this server doesn't promote: run berth promote"))
            }
            let preview = try await service.preview(
                PromotionRequest(
                    repository: body.repository, version: body.version, environment: body.environment, reason: body.reason,
                    deploy: false))
            guard preview.digest == shown else {
                return .failure(
                    Refusal(
                        status: .conflict,
                        message:
                            "\(HTML.bounded(body.version)) is \(preview.digest) now, not \(shown): reload the board and promote what it shows"
                    ))
            }
            guard service.deployments[body.environment] == nil else {
                return .failure(
                    Refusal(
                        status: .conflict,
                        message:
                            "\(HTML.bounded(body.environment)) deploys (berth.yaml deploy.\(HTML.bounded(body.environment))): promote it with berth promote, which deploys too"
                    ))
            }
            let outcome = try await service.run(preview)
            let already = preview.plan.isDone || !outcome.recordedPromotion
            return .success(
                APIDocuments.PromotionResult(
                    status: already ? "already" : "promoted", repository: body.repository, version: body.version,
                    environment: body.environment, digest: preview.digest.description, event: outcome.promoted?.id,
                    actor: outcome.promoted?.actor))
        } catch let error as BerthError {
            return .failure(Refusal(status: APIError.status(for: error.kind), message: error.message))
        }
    }
}
