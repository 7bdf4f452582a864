import ArgumentParser
import BerthCore

struct SemverSortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sort",
        abstract: "Sort versions from stdin by precedence, ascending (stable for equal precedence).",
        discussion: "Invalid lines are reported on stderr and the command exits 65, unless --ignore-invalid drops them.")

    @OptionGroup var prefix: SemverPrefixOptions

    @Flag(name: .customLong("ignore-invalid"), help: "Drop invalid lines silently and exit 0.")
    var ignoreInvalid = false

    @Flag(name: [.customShort("r"), .long], help: "Descending order.")
    var reverse = false

    func run() throws {
        var parsed: [(text: String, version: SemanticVersion)] = []
        var invalid = 0
        for line in Terminal.readStandardInputLines() where !line.isEmpty {
            do { parsed.append((line, try prefix.parse(line))) } catch {
                invalid += 1
                if !ignoreInvalid { Terminal.writeError("berth: \(error.description)\n") }
            }
        }
        let sorted = parsed.enumerated().sorted { x, y in
            let order = SemanticVersion.precedence(x.element.version, y.element.version)
            if order == 0 { return x.offset < y.offset }
            return reverse ? order > 0 : order < 0
        }
        Terminal.write(sorted.map { $0.element.text + "\n" }.joined())
        if invalid > 0 && !ignoreInvalid { throw ExitCode(ExitCodes.badInput) }
    }
}
