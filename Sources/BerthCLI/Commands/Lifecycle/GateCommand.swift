import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Judge an image by its Trivy or Grype report under berth.yaml's gate policy, and record the decision.",
        discussion:
            "Counts the report's findings by severity (after the policy's dated exceptions) and decides: any critical "
            + "blocks, 1–3 high need an approval (berth approve), more block, medium warns, low and unknown are ignored "
            + "(berth.yaml gates: changes it). The report must be about this image (its manifest or config digest); a "
            + "Trivy report scanned with --severity can't prove the counts it left out and is refused. With --env, the "
            + "image's tag must also pass that environment's naming rule. Exit codes: 0 pass or warn, 4 blocked, "
            + "5 approval needed, 1 registry or ledger failure, 64 usage, 65 unreadable report or one about another image "
            + "(never recorded as a pass).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(help: ArgumentHelp("The scan report: trivy --format json, or grype -o json.", valueName: "FILE"))
    var report: String

    @Option(help: ArgumentHelp("The image: host/repo:tag, host/repo@sha256:…, oci:PATH:tag.", valueName: "REF"))
    var image: String

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("The environment it is headed for (its naming rule applies).", valueName: "NAME"))
    var environment: String?

    @Option(
        name: .customLong("report-severity"),
        help: ArgumentHelp("The severities the scan was limited to (trivy --severity), e.g. HIGH,CRITICAL.", valueName: "LIST"))
    var reportSeverity: String?

    func run() async throws {
        let context = try CommandContext(global: global)
        guard let data = FileManager.default.contents(atPath: report) else {
            throw BerthError(
                .badInput,
                "can't read report '\(report)': check the path (trivy --format json -o FILE, grype -o json --file FILE)")
        }
        let policy = try environment.map { name throws(BerthError) in try context.configuration.environment(named: name) }
        let severities = try reportSeverity.map { text throws(BerthError) in try Severity.list(parsing: text) }
        let service = GateService(try await context.lifecycle(ledgerOptions, registry: registryOptions))
        let decision = try await service.run(
            GateRequest(
                report: data, reportName: report, image: image, policy: context.configuration.gates, environment: policy,
                reportSeverities: severities))

        if global.json {
            Terminal.write(try JSONOutput.encode(GateDocument(decision, image: image)) + "\n")
        } else if !global.quiet {
            var rows: [(String, String)] = [
                ("decision", decision.outcome.rawValue), ("image", "\(image) (\(decision.digest.short))"),
                ("counts", Severity.allCases.reversed().map { "\($0) \(decision.counts[$0] ?? 0)" }.joined(separator: "  ")),
            ]
            // The reasons quote the report's finding IDs: outside text, shown escaped.
            if !decision.reasons.isEmpty {
                rows.append(("reasons", decision.reasons.map { TerminalText.escaped($0) }.joined(separator: "\n")))
            }
            if !decision.excepted.isEmpty {
                rows.append(("excepted", decision.excepted.map { TerminalText.escaped($0) }.joined(separator: "\n")))
            }
            rows.append(("recorded", "event \(decision.eventID ?? 0)"))
            Terminal.write(TextRenderer(color: Terminal.useColor, verbose: global.verbose).rows(rows))
        }
        switch decision.outcome {
        case .pass, .warn: return
        case .needsApproval: throw ExitCode(ExitCodes.approvalNeeded)
        case .block: throw ExitCode(ExitCodes.blocked)
        }
    }
}
