import ArgumentParser

/// Where the ledger is, for the lifecycle commands.
struct LedgerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The ledger: a SQLite file or postgres://USER:PASSWORD@HOST/DB (default: $BERTH_LEDGER, berth.yaml's ledger, else .berth/ledger.sqlite).",
            valueName: "PATH|URL"))
    var ledger: String?
}
