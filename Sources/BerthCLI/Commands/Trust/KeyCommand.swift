import ArgumentParser

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Signing keys for berth sign and berth verify.",
        subcommands: [KeyGenerateCommand.self, KeyLayoutCommand.self])
}
