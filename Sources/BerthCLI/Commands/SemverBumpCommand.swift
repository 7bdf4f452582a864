import ArgumentParser
import BerthCore

struct SemverBumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bump",
        abstract: "Print the version after a bump: major, minor, patch or pre.",
        discussion:
            "major/minor/patch follow SemVer §6–§8; a pre-release already at that level just drops its "
            + "pre-release part (1.3.0-rc.2 minor → 1.3.0). With --preid, major/minor/patch start a "
            + "pre-release of the bumped version (1.2.3 minor --preid rc → 1.3.0-rc.1). pre continues a "
            + "pre-release (1.2.4-rc.1 → 1.2.4-rc.2) or starts one on the next patch (1.2.3 pre --preid rc → "
            + "1.2.4-rc.1).")

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case major, minor, patch, pre
    }

    @OptionGroup var prefix: SemverPrefixOptions

    @Argument(help: "major, minor, patch or pre.") var part: Part
    @Argument(help: "The version to bump.") var version: String

    @Option(help: ArgumentHelp("Pre-release id such as rc, beta or dev.", valueName: "ID"))
    var preid: String?

    func run() throws {
        let current = try prefix.require(version)
        if let preid, !SemanticVersion.isValidPreid(preid) {
            throw BerthError(
                .usage,
                "--preid '\(preid)' is not a valid pre-release id; use letters, digits and '-', dot-separated (rc, beta.x)")
        }
        let next: SemanticVersion
        switch part {
        case .pre:
            guard let bumped = current.bumpedPrerelease(preid: preid) else {
                throw BerthError(.usage, "'\(version)' is a final version, so 'pre' needs --preid ID (such as --preid rc)")
            }
            next = bumped
        case .major, .minor, .patch:
            let bump = VersionBump(rawValue: part.rawValue)!
            // With --preid the release core always moves on, as npm's premajor/preminor/prepatch do.
            next = preid.map { current.core.bumped(bump).withPrerelease($0, number: 1) } ?? current.bumped(bump)
        }
        let keepPrefix = prefix.prefix.map { version.hasPrefix($0) ? $0 : "" } ?? ""
        Terminal.write(keepPrefix + next.description + "\n")
    }
}
