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
        let validFor = try expires.map { text throws(BerthError) in try ApprovalService.duration(text) }
        let service = ApprovalService(try await context.lifecycle(ledgerOptions, registry: nil))
        let preview = try await service.preview(
            ApprovalRequest(
                repository: try context.repository(image), version: version, environment: environment, reason: reason,
                validFor: validFor))
        switch try await service.run(preview) {
        case .notNeeded(let gate):
            Terminal.write("\(version) (\(gate.digest)) passed its gate (event \(gate.eventID ?? 0)): nothing to approve\n")
        case .approve(let approval):
            if global.json {
                Terminal.write(
                    try JSONOutput.encode([
                        "event": String(approval.eventID ?? 0), "digest": approval.digest.description,
                        "gate": String(approval.gateEvent),
                    ]) + "\n")
            } else {
                Terminal.write(
                    "approved \(version) (\(approval.digest)) for \(environment): event \(approval.eventID ?? 0), answering gate event \(approval.gateEvent)\n"
                )
            }
        }
    }
}
