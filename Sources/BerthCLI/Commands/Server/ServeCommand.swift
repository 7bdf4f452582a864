import ArgumentParser
import BerthCore
import BerthLedger
import BerthServer
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the release board and its JSON API (/api/v1) over the ledger.",
        discussion:
            "Every request needs a token from berth token create (Authorization: Bearer, or the login page's session "
            + "cookie); --auth none is refused unless --listen is a loopback address. --anonymous-read (or "
            + "server.anonymous_read) lets reads through without one, as the viewer anonymous; nothing that changes state. "
            + "--auth proxy believes the user a proxy names in X-Forwarded-User (--proxy-user-header) only from a "
            + "--trusted-proxy address, with roles from server.proxy.roles in berth.yaml; tokens still work. "
            + "/healthz answers while the process "
            + "runs, /readyz while the ledger answers. SIGTERM or SIGINT finishes the requests in flight, then exits 0. "
            + "Several servers may share one PostgreSQL ledger: they keep no state of their own. "
            + "Exit codes: 0 stopped by a signal, 1 the address can't be bound or the ledger can't be opened, 64 usage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(
        help: ArgumentHelp(
            "Where to listen: 127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080 (port 0: any free one).", valueName: "HOST:PORT"))
    var listen: String

    @Option(help: ArgumentHelp("The path prefix of every route, behind an ingress (default: none).", valueName: "PATH"))
    var basePath: String?

    @Option(
        name: .customLong("external-url"),
        help: ArgumentHelp("The URL users reach the server at; https makes the session cookie Secure.", valueName: "URL"))
    var externalURL: String?

    @Option(
        help: ArgumentHelp(
            "tokens (default); proxy: a trusted proxy's identity header, then tokens; none: no authentication, loopback only.",
            valueName: "MODE"))
    var auth: String = "tokens"

    @Flag(help: "Let reads (the board, history, the read API) through without credentials, as the viewer anonymous.")
    var anonymousRead = false

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "With --auth proxy: an address or CIDR block of the proxy (repeatable; replaces server.proxy.trusted).",
            valueName: "ADDRESS|CIDR"))
    var trustedProxies: [String] = []

    @Option(
        help: ArgumentHelp("With --auth proxy: the header naming the user (default: X-Forwarded-User).", valueName: "NAME"))
    var proxyUserHeader: String?

    @Option(
        help: ArgumentHelp(
            "With --auth proxy: the header listing the user's groups, comma-separated (such as X-Forwarded-Groups).",
            valueName: "NAME"))
    var proxyGroupsHeader: String?

    func run() async throws {
        let address = try ListenAddress(parsing: listen)
        guard let authentication = ServerSettings.Authentication(rawValue: auth) else {
            throw BerthError(.usage, "--auth '\(TerminalText.escaped(auth, limit: 40))': use tokens, proxy or none")
        }
        if authentication != .proxy, !trustedProxies.isEmpty || proxyUserHeader != nil || proxyGroupsHeader != nil {
            throw BerthError(
                .usage, "--trusted-proxy and --proxy-*-header are for --auth proxy: add --auth proxy or drop them")
        }
        let context = try CommandContext(global: global)
        var settings = ServerSettings(
            basePath: try basePath.map { text throws(BerthError) in try ServerSettings.basePath(text) } ?? "",
            externalURL: try externalURL.map { text throws(BerthError) in try ServerSettings.externalURL(text) },
            authentication: authentication)
        settings.anonymousRead = anonymousRead || context.configuration.serverAccess.anonymousRead
        if authentication == .proxy { settings.proxy = try proxyAccess(context.configuration.serverAccess.proxy) }
        try settings.check(listening: address)
        var lifecycle = try await context.lifecycle(ledgerOptions, registry: nil)
        // On PostgreSQL, a connection of its own learns of every append (LISTEN), so a request needs no query to
        // know whether its cached board and tokens still hold; each request queries again while it is down.
        (lifecycle.ledger as? PostgresLedger)?.listenForAppends()
        // Each request acts as its token's holder; the process's own user acts only under --auth none.
        lifecycle.actor = context.actor
        var anonymous = settings
        anonymous.anonymousActor = context.actor
        var dependencies = ServerDependencies(
            lifecycle: lifecycle, environmentOrder: context.configuration.environments.map(\.name),
            images: context.configuration.images,
            // The same promotion service as berth promote, configured from berth.yaml; the server refuses
            // environments that deploy (it runs no kubectl and commits nothing).
            promotions: { try context.promotion($0) }, rollbacks: { try context.rollback($0) })
        dependencies.webhooks = try WebhookSecrets.settings(context.configuration, environment: context.environment)
        // The commits between two cells (/diff) come from the checkout the server runs in (-C DIR), if it is one.
        if context.hasCheckout { dependencies.git = try context.git }
        let base = settings.basePath
        let quiet = global.quiet
        let reads = anonymous.anonymousRead ? ", anonymous reads" : ""
        try await BerthServer.run(dependencies, settings: anonymous, address: address) { port in
            guard !quiet else { return }
            let host = address.host.contains(":") ? "[\(address.host)]" : address.host
            Terminal.writeError(
                "berth serve: listening on http://\(host):\(port)\(base)/ (auth: \(authentication.rawValue)\(reads))\n")
        }
    }

    /// berth.yaml's `server.proxy` with the flags over it: `--trusted-proxy` replaces its list, the header
    /// flags its headers.
    private func proxyAccess(_ configured: ProxyAccess?) throws(BerthError) -> ProxyAccess {
        var proxy = configured ?? ProxyAccess()
        if !trustedProxies.isEmpty {
            proxy.trusted = []
            for text in trustedProxies {
                guard let range = NetworkRange(text) else {
                    throw BerthError(
                        .usage,
                        "--trusted-proxy '\(TerminalText.escaped(text, limit: 60))': use an address or CIDR block such as 10.0.0.5, 10.1.0.0/16 or fd00::/8 (host bits clear)"
                    )
                }
                proxy.trusted.append(range)
            }
        }
        for (option, value) in [("--proxy-user-header", proxyUserHeader), ("--proxy-groups-header", proxyGroupsHeader)] {
            guard let value else { continue }
            guard ProxyAccess.isValidHeaderName(value) else {
                throw BerthError(
                    .usage,
                    "\(option) '\(TerminalText.escaped(value, limit: 60))': use a header name such as X-Forwarded-User (not Authorization, Cookie or Host)"
                )
            }
        }
        if let proxyUserHeader { proxy.userHeader = proxyUserHeader }
        if let proxyGroupsHeader { proxy.groupsHeader = proxyGroupsHeader }
        return proxy
    }
}
