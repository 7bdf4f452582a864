import ArgumentParser
import BerthCore
import BerthServer
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the release board and its JSON API (/api/v1) over the ledger.",
        discussion:
            "Every request needs a token from berth token create (Authorization: Bearer, or the login page's session "
            + "cookie); --auth none is refused unless --listen is a loopback address. /healthz answers while the process "
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

    @Option(help: ArgumentHelp("tokens (default), or none: no authentication, loopback addresses only.", valueName: "MODE"))
    var auth: String = "tokens"

    func run() async throws {
        let address = try ListenAddress(parsing: listen)
        guard let authentication = ServerSettings.Authentication(rawValue: auth) else {
            throw BerthError(.usage, "--auth '\(TerminalText.escaped(auth, limit: 40))': use tokens or none")
        }
        if authentication == .none && !address.isLoopback {
            throw BerthError(
                .usage,
                "--auth none on \(address): anyone who reaches it could approve; listen on 127.0.0.1 or [::1], or drop --auth none and use berth token create"
            )
        }
        let settings = ServerSettings(
            basePath: try basePath.map { text throws(BerthError) in try ServerSettings.basePath(text) } ?? "",
            externalURL: try externalURL.map { text throws(BerthError) in try ServerSettings.externalURL(text) },
            authentication: authentication)
        let context = try CommandContext(global: global)
        var lifecycle = try await context.lifecycle(ledgerOptions, registry: nil)
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
        let base = settings.basePath
        let quiet = global.quiet
        try await BerthServer.run(dependencies, settings: anonymous, address: address) { port in
            guard !quiet else { return }
            let host = address.host.contains(":") ? "[\(address.host)]" : address.host
            Terminal.writeError("berth serve: listening on http://\(host):\(port)\(base)/ (auth: \(authentication.rawValue))\n")
        }
    }
}
