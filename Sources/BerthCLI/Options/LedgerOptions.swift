import ArgumentParser

/// Where the ledger is, for the lifecycle commands.
struct LedgerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The ledger: a SQLite file (default: ledger in berth.yaml, $BERTH_LEDGER, else .berth/ledger.sqlite).",
            valueName: "PATH"))
    var ledger: String?
}
