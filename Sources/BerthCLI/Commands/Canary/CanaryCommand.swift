import ArgumentParser

struct CanaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary",
        abstract: "Progressive delivery: move traffic to a new version step by step, judged on metrics, rolled back on failure.",
        discussion:
            "berth.yaml canary.<env> names the steps (setWeight, pause, analysis), an optional header rule (requests "
            + "with that header and value always reach the canary), the traffic provider (nginx, haproxy, kubernetes) and "
            + "the analysis (Prometheus queries, threshold and comparison judges). Only a version the promotion rules "
            + "clear for the environment may start there, one canary at a time. Every transition is a ledger event; a "
            + "berth killed at any point is resumed by `berth canary resume` (or the next `run`), which first reconciles "
            + "the provider's actual split with the ledger. A failed analysis aborts: all traffic back to stable, the "
            + "version marked bad there with the evidence. Success moves the environment's tags as berth promote does. "
            + "Exit codes: 0 done (or waiting), 1 failure, 3 another berth acted first or a canary is in progress, "
            + "4 blocked (not cleared, or aborted: `run` exits 4 when the canary was aborted), 64 usage, 65 bad input.",
        subcommands: [
            CanaryStartCommand.self, CanaryStatusCommand.self, CanaryRunCommand.self, CanaryResumeCommand.self,
            CanaryPromoteCommand.self, CanaryAbortCommand.self,
        ])
}

/// What every canary command takes: the environment and the image repository.
struct CanaryOptions: ParsableArguments {
    @Option(name: .customLong("env"), help: ArgumentHelp("The environment (its canary.<env> in berth.yaml).", valueName: "ENV"))
    var environment: String
    @Option(help: ArgumentHelp("The image repository (default: the first of image.names).", valueName: "NAME")) var image: String?
}
