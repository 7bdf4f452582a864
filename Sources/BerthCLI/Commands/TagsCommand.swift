import ArgumentParser
import BerthCore

struct TagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Print the image tags of this build, one per line.",
        discussion:
            "berth's templates by default (v1.2.3, v1.2, v1, latest, sha-abc1234 on a release; v1.2.3-dev.N "
            + "and dev-YYYYMMDD on develop; rc-v1.2.3 and v1.2.3-rc.N on release/*; <branch>-v1.2.3 "
            + "elsewhere), or docker/metadata-action's tags:/flavor: lines given with --tag/--flavor or in "
            + "berth.yaml; with those, in GitHub Actions, no checkout is needed (the GITHUB_* variables and the "
            + "event payload are the context).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions

    /// The CI outputs `tags` can write.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case github
    }

    @Option(
        help: ArgumentHelp(
            "github: append docker/metadata-action's version, tags, tag-names and json outputs to $GITHUB_OUTPUT.",
            valueName: "FORMAT"))
    var format: Format?

    func run() throws {
        let context = try CommandContext(global: global)
        let request = try context.planRequest(options)
        let tags: TagPlan
        if request.configuration.usesMetadataActionRules && !context.hasCheckout {
            // As the action does, before any checkout: the GitHub context alone.
            tags = try MetadataActionPlanner.plan(request, checkout: nil).tags
        } else {
            tags = try context.planService().plan(request, check: false).tags
        }
        if global.json {
            Terminal.write(try JSONOutput.encode(TagsDocument(tags)) + "\n")
            return
        }
        if format == .github {
            try CIOutputFormat.writeGitHubOutput(try CIOutputFormat.githubTags(tags), environment: context.environment)
            return
        }
        if !tags.references.isEmpty { Terminal.write(tags.references.joined(separator: "\n") + "\n") }
        if global.verbose {
            for omitted in tags.omitted { Terminal.writeError("berth: omitted \(omitted)\n") }
        }
    }
}
