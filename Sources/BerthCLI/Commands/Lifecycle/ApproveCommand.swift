import ArgumentParser
import BerthCore
import Foundation

struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a release whose gate needs it, for one environment, bound to its digest and that gate decision.",
        discussion:
            "Finds the newest gate decision recorded for VERSION of the image and records an approval of exactly that "
            + "digest and decision, with who, when, why and an optional expiry. A blocked decision can't be approved. "
            + "Exit codes: 0 approved (or nothing to approve), 4 the gate blocked it, 1 no gate decision or ledger failure, 64 usage."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Argument(help: "The version to approve (1.2.3).") var version: String

    @Option(name: .customLong("env"), help: ArgumentHelp("The environment the approval is for.", valueName: "NAME"))
    var environment: String

    @Option(help: ArgumentHelp("Why: recorded with the approval.", valueName: "TEXT"))
    var reason: String

    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME"))
    var image: String?

    @Option(
        help: ArgumentHelp("How long the approval holds: 12h, 7d (default: until the digest changes).", valueName: "DURATION"))
    var expires: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        _ = try context.configuration.environment(named: environment)
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BerthError(.usage, "--reason is empty: say why this is approved")
        }
        let repository = try LifecycleRepository.resolve(image, context: context)
        let ledger = try await LedgerFactory.open(ledgerOptions, context: context)
        // The gate decisions about the version's digest (as released), else those recorded under the version.
        let released = try await ledger.events(
            LedgerQuery(repository: repository, version: version, kinds: [.released, .pushed, .built]))
        let gates = try await ledger.events(
            released.first?.digest.map { LedgerQuery(repository: repository, digest: $0, kinds: [.gateEvaluated]) }
                ?? LedgerQuery(repository: repository, version: version, kinds: [.gateEvaluated]))
        guard let gate = gates.first(where: { $0.environment == nil || $0.environment == environment }), let digest = gate.digest
        else {
            throw BerthError(
                .failure,
                "no gate decision is recorded for \(repository) \(version): run berth gate --report FILE --image \(repository):TAG first"
            )
        }
        let now = LedgerFactory.now
        switch gate.details["outcome"] {
        case "block":
            Terminal.writeError(
                "berth: error: gate event \(gate.id ?? 0) blocked \(version) (\(gate.reason ?? "")); a blocked release can't be approved: fix it, or add a dated exception in berth.yaml gates.ignore\n"
            )
            throw ExitCode(ExitCodes.blocked)
        case "pass", "warn":
            Terminal.write("\(version) (\(digest)) passed its gate (event \(gate.id ?? 0)): nothing to approve\n")
            return
        default: break
        }
        var details = ["gate": String(gate.id ?? 0), "outcome": gate.details["outcome"] ?? ""]
        if let expires { details["expires"] = String(now + (try Self.seconds(expires))) }
        let event = try await ledger.append(
            LedgerEvent(
                kind: .approved, repository: repository, version: version, digest: digest, environment: environment,
                gitSHA: gate.gitSHA,
                actor: LedgerFactory.actor(context), time: now, reason: reason, details: details))
        if global.json {
            Terminal.write(
                try JSONOutput.encode(["event": String(event.id ?? 0), "digest": digest, "gate": String(gate.id ?? 0)]) + "\n")
        } else {
            Terminal.write(
                "approved \(version) (\(digest)) for \(environment): event \(event.id ?? 0), answering gate event \(gate.id ?? 0)\n"
            )
        }
    }

    /// `90m`, `12h`, `7d` in seconds.
    static func seconds(_ text: String) throws(BerthError) -> Double {
        let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()), value > 0 else {
            throw BerthError(.usage, "--expires '\(text)': use a number and m, h or d (90m, 12h, 7d)")
        }
        return value * unit
    }
}
