import ArgumentParser

/// How to reach registries: credentials and transport security.
struct RegistryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("User name for the registry (the password comes from --password-stdin).", valueName: "NAME"))
    var username: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password or token from standard input.")
    var passwordStdin = false

    @Flag(help: "Allow plain http and sending credentials over it (loopback registries never need this).")
    var insecure = false
}
