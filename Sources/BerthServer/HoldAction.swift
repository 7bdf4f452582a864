import BerthCore
import BerthOCI
import Hummingbird

/// A hold, a release of one, or a bad mark asked of the server (the API or the board's forms): the same
/// `HoldService` as `berth hold`/`berth unhold` and `BadMarkService`, acting as the principal, who must be
/// a promoter for the environment (an admin anywhere).
struct HoldAction {
    let dependencies: ServerDependencies

    private func lifecycle(as principal: Principal) -> LifecycleDependencies {
        var lifecycle = dependencies.lifecycle
        lifecycle.actor = principal.name
        return lifecycle
    }

    /// Holds (or, `release`, releases) an environment or a version.
    func perform(_ body: APIDocuments.HoldRequest, release: Bool, as principal: Principal) async throws
        -> Result<APIDocuments.HoldResult, Refusal>
    {
        // A version hold stops its promotion everywhere: a token limited to one environment can't.
        guard principal.allows(.promoter, environment: body.environment ?? ""),
            body.environment != nil || principal.environment == nil
        else {
            let scope = body.environment.map { " for \(HTML.bounded($0))" } ?? " for every environment"
            return .failure(
                Refusal(
                    status: .forbidden,
                    message: "this token's role can't do that: it needs promoter\(scope); ask an admin for such a token"))
        }
        let service = HoldService(lifecycle(as: principal), environments: dependencies.environmentOrder)
        let request = HoldRequest(
            repository: body.repository, environment: body.environment.flatMap { $0.isEmpty ? nil : $0 },
            version: body.version.flatMap { $0.isEmpty ? nil : $0 }, reason: body.reason)
        do {
            switch try await release ? service.release(request) : service.hold(request) {
            case .recorded(let hold):
                return .success(
                    APIDocuments.HoldResult(
                        status: release ? "released" : "held", hold: APIDocuments.hold(hold), event: hold.eventID,
                        actor: hold.actor))
            case .unchanged(let hold):
                return .success(
                    APIDocuments.HoldResult(
                        status: release ? "not-held" : "already-held", hold: hold.map(APIDocuments.hold), event: nil,
                        actor: nil))
            }
        } catch let error as BerthError {
            return .failure(Refusal(status: APIError.status(for: error.kind), message: error.message))
        }
    }

    /// The holds in force on `repository`.
    func holds(repository: String) async throws -> [BerthCore.Hold] {
        try await HoldService(dependencies.lifecycle).holds(repository: repository)
    }

    /// Marks the digest the caller was shown bad in the environment.
    func markBad(_ body: APIDocuments.BadMarkRequest, as principal: Principal) async throws
        -> Result<APIDocuments.BadMarkResult, Refusal>
    {
        let shown: Digest
        switch principal.check(.promoter, environment: body.environment, shown: body.digest) {
        case .success(let digest): shown = digest
        case .failure(let refusal): return .failure(refusal)
        }
        do {
            let service = BadMarkService(lifecycle(as: principal))
            let mark = try await service.preview(
                BadMarkRequest(
                    repository: body.repository, version: body.version, environment: body.environment, reason: body.reason))
            guard mark.digest == shown else {
                return .failure(
                    Refusal(
                        status: .conflict,
                        message:
                            "\(HTML.bounded(body.version)) ran as \(mark.digest) in \(HTML.bounded(body.environment)), not \(shown): reload the board and mark what it shows"
                    ))
            }
            let (recorded, event, new) = try await service.run(mark)
            return .success(
                APIDocuments.BadMarkResult(
                    status: new ? "marked-bad" : "already", repository: recorded.repository, version: recorded.version,
                    environment: recorded.environment, digest: recorded.digest.description, reason: recorded.reason,
                    event: event.id, actor: event.actor))
        } catch let error as BerthError {
            return .failure(Refusal(status: APIError.status(for: error.kind), message: error.message))
        }
    }
}
