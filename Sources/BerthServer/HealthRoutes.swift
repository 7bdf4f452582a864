import BerthCore
import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (the ledger answers a read within `readyTimeout`).
struct HealthRoutes {
    let dependencies: ServerDependencies
    /// How long `/readyz` waits for the ledger: a PostgreSQL that is down may not refuse at once, and a
    /// probe that hangs is no answer.
    static let readyTimeout: Duration = .seconds(2)

    func register(on group: RouterGroup<ServerContext>) {
        group.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        group.get("readyz") { _, context in
            let ledger = dependencies.lifecycle.ledger
            let outcome = await Self.firstOf(Self.readyTimeout) {
                _ = try await ledger.events(LedgerQuery(limit: 1))
            }
            switch outcome {
            case .answered:
                return Response(
                    status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            case .failed(let error):
                // The ledger adapters redact their URLs; the message still stays in the log, not the body.
                context.logger.warning("ledger unreachable", metadata: ["error": "\(error)"])
                return Self.unavailable("the ledger is unreachable: see the server's log\n")
            case .timedOut:
                context.logger.warning("ledger did not answer within \(Self.readyTimeout)")
                return Self.unavailable("the ledger did not answer within \(Self.readyTimeout)\n")
            }
        }
    }

    static func unavailable(_ text: String) -> Response {
        Response(
            status: .serviceUnavailable, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    enum Outcome { case answered, failed(any Error), timedOut }

    /// Runs `body`, but answers `.timedOut` after `limit` without waiting for it (a read that ignores
    /// cancellation finishes in the background).
    static func firstOf(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Outcome {
        let decided = Locked(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let finish: @Sendable (Outcome) -> Void = { outcome in
                let first = decided.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: outcome) }
            }
            let work = Task {
                do {
                    try await body()
                    finish(.answered)
                } catch {
                    finish(.failed(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                finish(.timedOut)
                work.cancel()
            }
        }
    }
}
