import ArgumentParser
import BerthCore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the next version from git history (Conventional Commits, branch channels).",
        discussion:
            "The last release tag reachable from HEAD (prefix + final SemVer) is the base; fix → patch, feat "
            + "→ minor, '!' or a BREAKING CHANGE footer → major (minor below 1.0.0). develop gives "
            + "X.Y.Z-dev.N, release/* and rc/* give X.Y.Z-rc.N. --json explains the decision commit by commit.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: PlanOptions

    func run() throws {
        let context = try CommandContext(global: global)
        let request = try context.planRequest(options)
        var versionRequest = VersionRequest(
            policy: request.configuration.version, ci: request.ci, branch: request.branch,
            defaultBranch: request.configuration.defaultBranch, allowDirty: request.allowDirty)
        versionRequest.deepenFrom = request.deepenFrom
        let decision = try context.versionService().decide(versionRequest)
        if global.json {
            Terminal.write(try JSONOutput.encode(VersionDocument(decision)) + "\n")
        } else if global.quiet {
            Terminal.write(decision.version.description + "\n")
        } else {
            Terminal.write(TextRenderer(color: Terminal.useColor, verbose: global.verbose).version(decision))
        }
    }
}
