import ArgumentParser
import BerthCore

struct SemverCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print -1, 0 or 1 as A has lower, equal or higher precedence than B (SemVer §11).",
        discussion: "Build metadata is ignored: 1.0.0+a and 1.0.0+b print 0.")

    @OptionGroup var prefix: SemverPrefixOptions

    @Argument(help: "The first version.") var a: String
    @Argument(help: "The second version.") var b: String

    func run() throws {
        let order = SemanticVersion.precedence(try prefix.require(a), try prefix.require(b))
        Terminal.write("\(order)\n")
    }
}
