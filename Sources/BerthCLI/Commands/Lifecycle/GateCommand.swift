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
        let scan = try ScanReport(parsing: data, name: report)
        let reference = try StoreFactory.reference(image)
        let store = try StoreFactory(options: registryOptions, environment: context.environment).store(for: reference)
        let facts = try await ImageFacts.read(reference, store: store)
        var tagProblem: String?
        if let environment {
            let policy = try context.configuration.environment(named: environment)
            if let tag = reference.tag { tagProblem = TagFormatGate.problem(tag: tag, environment: policy) }
        }
        let severities = try reportSeverity.map { text throws(BerthError) in try Self.severities(text) }
        let now = LedgerFactory.now
        let decision = try GateEvaluator.evaluate(
            scan, reportName: report, image: facts.identity, policy: context.configuration.gates, now: now,
            reportSeverities: severities,
            tagProblem: tagProblem)

        let ledger = try await LedgerFactory.open(ledgerOptions, context: context)
        // The version the ledger knows this digest by (a release), else the image's own label.
        let known = try await ledger.events(LedgerQuery(repository: facts.repository, digest: decision.image.description))
            .first { $0.version != nil && $0.kind != .gateEvaluated }
        var details = [
            "outcome": decision.outcome.rawValue, "report": decision.report.description, "scanner": decision.scanner.rawValue,
            "reasons": decision.reasons.joined(separator: "; "), "excepted": decision.excepted.joined(separator: "; "),
            "reportFile": (report as NSString).lastPathComponent,
        ]
        for severity in Severity.allCases { details["counts.\(severity)"] = String(decision.counts[severity] ?? 0) }
        let event = try await ledger.append(
            LedgerEvent(
                kind: .gateEvaluated, repository: facts.repository, version: known?.version ?? facts.version,
                digest: decision.image.description, environment: environment, gitSHA: known?.gitSHA ?? facts.revision,
                actor: LedgerFactory.actor(context), time: now,
                reason: decision.reasons.first, details: details))

        if global.json {
            Terminal.write(try JSONOutput.encode(GateDocument(decision, event: event, image: image)) + "\n")
        } else if !global.quiet {
            var rows: [(String, String)] = [
                ("decision", decision.outcome.rawValue), ("image", "\(image) (\(decision.image.short))"),
                ("counts", Severity.allCases.reversed().map { "\($0) \(decision.counts[$0] ?? 0)" }.joined(separator: "  ")),
            ]
            if !decision.reasons.isEmpty { rows.append(("reasons", decision.reasons.joined(separator: "\n"))) }
            if !decision.excepted.isEmpty { rows.append(("excepted", decision.excepted.joined(separator: "\n"))) }
            rows.append(("recorded", "event \(event.id ?? 0)"))
            Terminal.write(TextRenderer(color: Terminal.useColor, verbose: global.verbose).rows(rows))
        }
        switch decision.outcome {
        case .pass, .warn: return
        case .needsApproval: throw ExitCode(ExitCodes.approvalNeeded)
        case .block: throw ExitCode(ExitCodes.blocked)
        }
    }

    static func severities(_ text: String) throws(BerthError) -> Set<Severity> {
        var result = Set<Severity>()
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let severity = Severity.allCases.first(where: { $0.description == word }) else {
                throw BerthError(
                    .usage, "--report-severity '\(text)': '\(word)' is not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL")
            }
            result.insert(severity)
        }
        return result
    }
}

/// `berth gate --json`.
struct GateDocument: Encodable {
    let outcome: String
    let image: String
    let digest: String
    let counts: [String: Int]
    let reasons: [String]
    let excepted: [String]
    let report: String
    let scanner: String
    let event: Int64?

    init(_ decision: GateDecision, event: LedgerEvent, image: String) {
        outcome = decision.outcome.rawValue
        self.image = image
        digest = decision.image.description
        counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.description, decision.counts[$0] ?? 0) })
        reasons = decision.reasons
        excepted = decision.excepted
        report = decision.report.description
        scanner = decision.scanner.rawValue
        self.event = event.id
    }
}
