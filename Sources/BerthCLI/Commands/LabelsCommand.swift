import ArgumentParser
import BerthCore

struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Print OCI labels, build args and Go -ldflags for this build.",
        discussion:
            "org.opencontainers.image.created comes from SOURCE_DATE_EPOCH, else the commit time (never the "
            + "clock unless --created-now), so the same commit always gives the same bytes.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions

    func run() throws {
        let context = try CommandContext(global: global)
        let plan = try context.planService().plan(try context.planRequest(options), check: false)
        if global.json {
            Terminal.write(try JSONOutput.encode(MetadataDocument(plan.metadata)) + "\n")
        } else if global.quiet {
            Terminal.write(plan.metadata.labels.map { "\($0.key)=\($0.value)\n" }.joined())
        } else {
            let renderer = TextRenderer(color: Terminal.useColor, verbose: global.verbose)
            Terminal.write(renderer.rows(renderer.metadata(plan.metadata)))
        }
    }
}
