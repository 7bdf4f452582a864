import BerthCore
import Foundation
import Hummingbird

/// `GET /api/v1/diff?repository=&from=&to=` (JSON) and `GET /diff?…` (the page): two cells of the board, or
/// two versions or digests of one service, compared by `ReleaseDiffService`. Both need role viewer.
struct DiffRoutes {
    /// The longest `repository`, `from` or `to` read; a longer one is no name the ledger holds.
    static let maximumLength = 512

    let dependencies: ServerDependencies
    let settings: ServerSettings

    func register(api: RouterGroup<ServerContext>, pages: RouterGroup<ServerContext>) {
        api.get("diff") { request, context in
            guard context.principal?.allows(.viewer) == true else {
                return APIError.response(.forbidden, "this token's role can't do that: it needs viewer")
            }
            switch try await diff(request) {
            case .success(let diff): return try APIDocuments.json(DiffDocuments.diff(diff))
            case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
            }
        }
        pages.get("diff") { request, context in
            let board = BoardRoutes(dependencies: dependencies, settings: settings)
            guard let principal = context.principal, principal.allows(.viewer) else {
                return board.refused(.forbidden, "This token can't read the board.")
            }
            switch try await diff(request) {
            case .success(let diff):
                return Page.response(DiffPage(diff: diff, principal: principal, basePath: settings.basePath).render())
            case .failure(let refusal): return board.refused(refusal.status, refusal.message)
            }
        }
    }

    /// The diff the query asks for, or why not: 400 for a missing or oversized parameter, 404 for a name the
    /// ledger doesn't know.
    private func diff(_ request: Request) async throws -> Result<ReleaseDiff, Refusal> {
        let parameters = HistoryQuery.parameters(request)
        var values: [String] = []
        for name in ["repository", "from", "to"] {
            guard let value = parameters[name], !value.isEmpty else {
                return .failure(
                    Refusal(
                        status: .badRequest,
                        message: "say what to compare: diff?repository=NAME&from=ENV|VERSION&to=ENV|VERSION (\(name) is missing)")
                )
            }
            // Refused here so that the one line a 404 echoes stays one short line.
            guard value.utf8.count <= Self.maximumLength, HTML.bounded(value) == String(value.prefix(80)) else {
                return .failure(
                    Refusal(
                        status: .badRequest,
                        message:
                            "\(name) '\(HTML.bounded(value))' is no name the board shows (control characters, or over \(Self.maximumLength) bytes)"
                    ))
            }
            values.append(value)
        }
        do {
            return .success(try await dependencies.diffs.diff(repository: values[0], from: values[1], to: values[2]))
        } catch let unknown as ReleaseDiffService.NotFound {
            return .failure(Refusal(status: .notFound, message: unknown.message))
        }
    }
}
