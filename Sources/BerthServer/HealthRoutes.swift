import BerthCore
import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (the ledger answers a read).
struct HealthRoutes {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerContext>) {
        group.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        group.get("readyz") { _, context in
            do {
                _ = try await dependencies.lifecycle.ledger.events(LedgerQuery(limit: 1))
                return Response(
                    status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                // The ledger adapters redact their URLs; the message still stays in the log, not the body.
                context.logger.warning("ledger unreachable", metadata: ["error": "\(error)"])
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "the ledger is unreachable: see the server's log\n")))
            }
        }
    }
}
