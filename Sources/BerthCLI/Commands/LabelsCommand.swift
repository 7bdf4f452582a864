import ArgumentParser
import BerthCore

struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Print OCI labels, build args and Go -ldflags for this build.",
        discussion:
            "org.opencontainers.image.created comes from SOURCE_DATE_EPOCH, else the commit time (never the "
            + "clock unless --created-now), so the same commit always gives the same bytes. With "
            + "docker/metadata-action's tags:/flavor: rules (--tag/--flavor or berth.yaml) the labels are the "
            + "action's, with its labels: and annotations: lines (--label/--annotation) and its annotation levels "
            + "(DOCKER_METADATA_ANNOTATIONS_LEVELS); in GitHub Actions no checkout is needed.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions

    /// The CI outputs `labels` can write.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case github
    }

    @Option(
        help: ArgumentHelp(
            "github: append docker/metadata-action's labels, annotations and json outputs to $GITHUB_OUTPUT.",
            valueName: "FORMAT"))
    var format: Format?

    func run() throws {
        let context = try CommandContext(global: global)
        let outputs: PlanOutputs
        if let action = try context.metadataActionWithoutCheckout(options) {
            // As the action does, before any checkout: the GitHub context alone.
            outputs = PlanOutputs(action)
        } else {
            outputs = PlanOutputs(try context.planService().plan(try context.planRequest(options), check: false))
        }
        if global.json {
            Terminal.write(
                try JSONOutput.encode(MetadataDocument(outputs.metadata, annotations: outputs.action?.annotations)) + "\n")
        } else if format == .github {
            try CIOutputFormat.checkOneLine(outputs.metadata)
            let entries = try CIOutputFormat.githubLabelEntries(outputs)
            try CIOutputFormat.writeGitHubOutput(
                entries.map { CIOutputFormat.githubEntry($0.0, $0.1) }.joined(), environment: context.environment)
        } else if global.quiet {
            Terminal.write(outputs.metadata.labels.map { "\($0.key)=\($0.value)\n" }.joined())
        } else {
            let renderer = TextRenderer(color: Terminal.useColor, verbose: global.verbose)
            Terminal.write(renderer.rows(renderer.metadata(outputs.metadata) + renderer.annotations(outputs.action)))
        }
    }
}
