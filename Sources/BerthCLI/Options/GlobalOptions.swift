import ArgumentParser

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("Config file (default: berth.yaml found upward).", valueName: "FILE"))
    var configPath: String?

    @Option(name: .customShort("C"), help: ArgumentHelp("Run as if started in DIR.", valueName: "DIR"))
    var directory: String?

    @Flag(name: .long, help: "Print JSON (a stable, documented schema).")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only the essential result.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Explain more (skipped tags, omitted floating tags).")
    var verbose = false
}
