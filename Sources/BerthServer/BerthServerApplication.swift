import BerthCore
import Foundation
import Hummingbird
import Logging

/// What the server works with: the core's ports and services, built by the caller's composition root
/// (`berth serve`) or by tests over in-memory ports. Never an adapter.
public struct ServerDependencies: Sendable {
    /// The lifecycle's ports (the ledger, the stores, the clock); `actor` is replaced by each request's principal.
    public var lifecycle: LifecycleDependencies
    /// Environments in promotion order (berth.yaml).
    public var environmentOrder: [String]
    /// The repositories the board shows first, in order (berth.yaml's image.names); the ledger's others follow.
    public var images: [String]
    /// The promotion service as the composition root configures it (environments, tag prefix, deploys,
    /// signature requirements) for the given dependencies; nil: this server doesn't promote.
    public var promotions: (@Sendable (LifecycleDependencies) throws -> PromotionService)?
    /// The rollback service, likewise; nil: this server doesn't roll back.
    public var rollbacks: (@Sendable (LifecycleDependencies) throws -> RollbackService)?
    /// The project's git history, for the commits between two cells (`/diff`); nil: the server runs away from
    /// the repository, and a diff says the commits are unavailable.
    public var git: (any GitHistory)? = nil
    /// The registry webhook receivers (berth.yaml server.webhooks, secrets read); none by default.
    public var webhooks = WebhookSettings()
    /// The board as the pages and the API read it (image.names first, then every other repository the
    /// ledger knows): read from the ledger again only after it changed.
    public let boards: BoardCache
    /// The ledger's tokens, folded again only after the ledger changed (and each token's expiry checked on
    /// every request).
    let tokens: AccessTokens
    /// `count` bytes from a cryptographically secure source, for the secrets of tokens made through the API.
    public var randomBytes: @Sendable (Int) -> [UInt8] = { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    public init(
        lifecycle: LifecycleDependencies, environmentOrder: [String], images: [String] = [],
        promotions: (@Sendable (LifecycleDependencies) throws -> PromotionService)? = nil,
        rollbacks: (@Sendable (LifecycleDependencies) throws -> RollbackService)? = nil
    ) {
        self.lifecycle = lifecycle
        self.environmentOrder = environmentOrder
        boards = BoardCache(queries: LedgerQueries(ledger: lifecycle.ledger, environmentOrder: environmentOrder))
        tokens = AccessTokens(ledger: lifecycle.ledger, time: lifecycle.time)
        self.images = images
        self.promotions = promotions
        self.rollbacks = rollbacks
    }

    var queries: LedgerQueries { LedgerQueries(ledger: lifecycle.ledger, environmentOrder: environmentOrder) }
    var diffs: ReleaseDiffService { ReleaseDiffService(queries: queries, stores: lifecycle.stores, git: git) }

    /// The token service acting as `principal` (the same as `berth token create|revoke`).
    func tokenService(as principal: Principal) -> TokenService {
        TokenService(ledger: lifecycle.ledger, time: lifecycle.time, actor: principal.name, randomBytes: randomBytes)
    }

    /// The approval service acting as `principal`.
    func approvals(as principal: Principal) -> ApprovalService {
        var dependencies = lifecycle
        dependencies.actor = principal.name
        return ApprovalService(dependencies)
    }

    /// The promotion service acting as `principal`, if this server promotes.
    func promotion(as principal: Principal) throws -> PromotionService? {
        var dependencies = lifecycle
        dependencies.actor = principal.name
        return try promotions?(dependencies)
    }

    /// The rollback service acting as `principal`, if this server rolls back.
    func rollback(as principal: Principal) throws -> RollbackService? {
        var dependencies = lifecycle
        dependencies.actor = principal.name
        return try rollbacks?(dependencies)
    }
}

/// `berth serve`: the routes over the core services, and the application that serves them.
public enum BerthServer {
    /// The router: `/healthz`, `/readyz`, the login page and the OpenAPI document without credentials; the
    /// pages, `/api/v1` (token management too) and `/metrics` behind `AccessMiddleware` (which may let reads of
    /// the pages and the API through as `anonymous` under `--anonymous-read`); all under `settings.basePath`;
    /// every request timed for `/metrics`.
    public static func router(_ dependencies: ServerDependencies, settings: ServerSettings) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        let metrics = ServerMetrics()
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        let base = router.group(RouterPath(settings.basePath.isEmpty ? "/" : settings.basePath))
        HealthRoutes(dependencies: dependencies).register(on: base)
        LoginRoutes(dependencies: dependencies, settings: settings).register(on: base)
        base.get("api/v1/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        base.get("assets/board.js") { _, _ in BoardScript.response() }
        let api = base.group("api/v1").add(
            middleware: AccessMiddleware(tokens: dependencies.tokens, settings: settings, pages: false))
        APIRoutes(dependencies: dependencies, settings: settings).register(on: api)
        EventStreamRoutes(dependencies: dependencies, timing: settings.eventStream, shutdown: settings.streams).register(on: api)
        HoldRoutes(dependencies: dependencies, settings: settings).registerAPI(on: api)
        TokenRoutes(dependencies: dependencies).register(on: api)
        // Prometheus scrapes with a viewer token (`authorization: {credentials: …}` in its scrape config); never
        // anonymously, whatever --anonymous-read says.
        base.group("metrics")
            .add(
                middleware: AccessMiddleware(
                    tokens: dependencies.tokens, settings: settings, pages: false, anonymousReads: false)
            )
            .get { _, context in
                guard context.principal?.allows(.viewer) == true else {
                    return APIError.response(.forbidden, "/metrics needs a viewer token")
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                    body: .init(
                        byteBuffer: ByteBuffer(string: try await metrics.exposition(ledger: dependencies.lifecycle.ledger))))
            }
        let pages = base.group().add(
            middleware: AccessMiddleware(tokens: dependencies.tokens, settings: settings, pages: true))
        BoardRoutes(dependencies: dependencies, settings: settings).register(on: pages)
        let worker = WebhookWorker(dependencies, metrics: metrics.webhooks)
        let webhooks = WebhookRoutes(dependencies: dependencies, settings: settings, metrics: metrics.webhooks, worker: worker)
        webhooks.registerReceivers(on: base)
        webhooks.registerAPI(on: api)
        webhooks.registerPages(on: pages)
        if let every = dependencies.webhooks.reconcileSeconds { Task { await worker.reconcileLoop(every: every) } }
        HoldRoutes(dependencies: dependencies, settings: settings).registerPages(on: pages)
        DiffRoutes(dependencies: dependencies, settings: settings).register(api: api, pages: pages)
        return router
    }

    /// The application on `address`; `onRunning` learns the port it bound (for `--listen HOST:0`).
    public static func application(
        _ dependencies: ServerDependencies, settings: ServerSettings, address: ListenAddress,
        logger: Logger = Logger(label: "berth.serve", factory: { StreamLogHandler.standardError(label: $0) }),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(dependencies, settings: settings),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "berth"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? address.port) },
            logger: logger)
    }
}

extension BerthServer {
    /// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns (swift-service-lifecycle's
    /// graceful shutdown, as Hummingbird runs it).
    public static func run(
        _ dependencies: ServerDependencies, settings: ServerSettings, address: ListenAddress,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let signals = settings.streams.watchSignals()
        defer { signals.forEach { $0.cancel() } }
        try await application(dependencies, settings: settings, address: address, onRunning: onRunning).runService()
    }
}
