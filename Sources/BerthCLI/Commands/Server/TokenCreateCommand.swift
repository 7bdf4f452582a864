import ArgumentParser
import BerthCore
import Foundation

struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an access token for berth serve and print it, once.",
        discussion:
            "Roles: viewer reads the board and the API; approver also approves; promoter also promotes and rolls back; "
            + "admin may do everything. --env limits what it may change to one environment. The token is printed on "
            + "stdout and never again: only its SHA-256 is recorded (a token-created event). "
            + "Exit codes: 0 created, 1 ledger failure, 64 usage.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(help: ArgumentHelp("viewer, approver, promoter or admin.", valueName: "ROLE"))
    var role: String

    @Option(name: .customLong("env"), help: ArgumentHelp("The one environment it may change (default: all).", valueName: "NAME"))
    var environment: String?

    @Option(help: ArgumentHelp("How long it holds: 12h, 90d (default: until revoked).", valueName: "DURATION"))
    var expires: String?

    @Option(help: ArgumentHelp("Who holds it: the actor of what it does (default: token-ID).", valueName: "NAME"))
    var name: String?

    func run() async throws {
        let role = try AccessRole.parse(role)
        var validFor: Double?
        if let expires {
            guard let seconds = DurationText.seconds(expires), seconds > 0, seconds < 100 * 365 * 86_400 else {
                throw BerthError(
                    .usage,
                    "--expires '\(TerminalText.escaped(expires, limit: 40))': use a duration such as 12h or 90d, under 100 years")
            }
            validFor = seconds
        }
        let context = try CommandContext(global: global)
        if let environment, !context.configuration.environments.isEmpty {
            _ = try context.configuration.environment(named: environment)
        }
        let service = try await context.tokens(ledgerOptions)
        let (token, secret) = try await service.create(
            TokenRequest(role: role, name: name, environment: environment, validFor: validFor))
        if global.json {
            Terminal.write(try JSONOutput.encode(TokenDocument(token, secret: secret)) + "\n")
        } else {
            Terminal.write(secret + "\n")
            if !global.quiet {
                Terminal.writeError(
                    "created token \(token.id) (\(token.name), \(token.role.rawValue)\(token.environment.map { ", \($0) only" } ?? "")\(token.expires.map { ", until \(RFC3339.utc(seconds: Int64($0)))" } ?? "")): it is shown this once\n"
                )
            }
        }
    }
}

/// A token as `berth token create|list --json` show it; `token` only at creation.
struct TokenDocument: Encodable {
    let id: String
    let name: String
    let role: String
    let environment: String?
    let expires: String?
    let created: String
    let createdBy: String
    let revoked: String?
    let token: String?

    init(_ token: AccessToken, secret: String? = nil) {
        id = token.id
        name = token.name
        role = token.role.rawValue
        environment = token.environment
        expires = token.expires.map { RFC3339.utc(seconds: Int64($0)) }
        created = RFC3339.utc(seconds: Int64(token.created))
        createdBy = token.createdBy
        revoked = token.revoked.map { RFC3339.utc(seconds: Int64($0)) }
        self.token = secret
    }
}

extension CommandContext {
    /// The token service on the ledger, with the system's secure random source.
    func tokens(_ ledger: LedgerOptions) async throws -> TokenService {
        TokenService(
            ledger: try await LedgerFactory.open(ledger, context: self), time: SystemTime(), actor: actor,
            randomBytes: { count in
                var generator = SystemRandomNumberGenerator()
                return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            })
    }
}
