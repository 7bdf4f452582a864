import ArgumentParser
import BerthCore
import BerthOCI
import Foundation

struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract:
            "Judge an image by its Trivy, Grype or Clair report, or by Harbor's own scan, under berth.yaml's gate policy, and record the decision.",
        discussion:
            "Counts the report's findings by severity (after the policy's dated exceptions) and decides: any critical "
            + "blocks, 1–3 high need an approval (berth approve), more block, medium warns, low and unknown are ignored "
            + "(berth.yaml gates: changes it). The report must be about this image (its manifest or config digest); a "
            + "Trivy report scanned with --severity can't prove the counts it left out and is refused. With --env, the "
            + "image's tag must also pass that environment's naming rule. With --harbor instead of --report, the "
            + "image's registry is a Harbor and its own scan is judged (its API's scan overview, with the registry's "
            + "credentials; --harbor-url when the API lives elsewhere): a scan that is missing, not Success, less than "
            + "100% complete or doesn't add up decides nothing (exit 65). Exit codes: 0 pass or warn, 4 blocked, "
            + "5 approval needed, 1 registry or ledger failure, 64 usage, 65 unreadable report or scan, or one about "
            + "another image (never recorded as a pass).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registryOptions: RegistryOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Option(
        help: ArgumentHelp(
            "The scan report: trivy --format json, grype -o json, or a Clair v4 vulnerability report.", valueName: "FILE"))
    var report: String?

    @Flag(help: "Judge Harbor's own scan of the image (its API's scan overview) instead of a report file.")
    var harbor = false

    @Option(
        name: .customLong("harbor-url"),
        help: ArgumentHelp("Where Harbor's API lives when not on the registry's host (implies --harbor).", valueName: "URL"))
    var harborURL: String?

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

    func validate() throws {
        let fromHarbor = harbor || harborURL != nil
        if fromHarbor == (report != nil) {
            throw ValidationError("pass either --report FILE or --harbor (Harbor's own scan), not both and not neither")
        }
        if fromHarbor, reportSeverity != nil {
            throw ValidationError("--report-severity describes a report file; Harbor's scan covers every severity")
        }
    }

    func run() async throws {
        let context = try CommandContext(global: global)
        let policy = try environment.map { name throws(BerthError) in try context.configuration.environment(named: name) }
        let dependencies = try await context.lifecycle(ledgerOptions, registry: registryOptions)
        let service = GateService(dependencies)
        let decision: GateRecord
        if let report {
            guard let data = FileManager.default.contents(atPath: report) else {
                throw BerthError(
                    .badInput,
                    "can't read report '\(report)': check the path (trivy --format json -o FILE, grype -o json --file FILE)")
            }
            let severities = try reportSeverity.map { text throws(BerthError) in try Severity.list(parsing: text) }
            decision = try await service.run(
                GateRequest(
                    report: data, reportName: report, image: image, policy: context.configuration.gates, environment: policy,
                    reportSeverities: severities))
        } else {
            let reference = try StoreFactory.reference(image)
            guard case .registry(let host) = reference.store, let stores = dependencies.stores as? StoreFactory else {
                throw BerthError(
                    .usage, "--harbor reads a registry's own scan, and '\(image)' is an OCI layout: pass --report FILE")
            }
            decision = try await service.run(
                RegistryScanGateRequest(image: image, policy: context.configuration.gates, environment: policy),
                source: try stores.harborAPI(host: host, url: harborURL))
        }

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
