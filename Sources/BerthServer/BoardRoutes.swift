import BerthCore
import HTTPTypes
import Hummingbird

/// `/`: the board page, behind `AccessMiddleware` (a request without credentials is sent to the login page).
struct BoardRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings

    func register(on group: RouterGroup<ServerContext>) {
        group.get("/") { _, context in
            guard let principal = context.principal, principal.allows(.viewer) else {
                return APIError.response(.forbidden, "this token can't read the board")
            }
            let board = try await dependencies.queries.board(
                repositories: try await dependencies.boardRepositories(), now: dependencies.lifecycle.time.now())
            return Page.response(BoardPage(board: board, principal: principal, basePath: settings.basePath).render())
        }
    }
}

/// An HTML response that no cache keeps and no other site may frame.
enum Page {
    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
