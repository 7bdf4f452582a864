import ArgumentParser

struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Read and write images in OCI registries and local OCI layouts, without a daemon.",
        discussion:
            "References: host[:port]/repo[:tag][@digest] (Docker Hub by default: api is docker.io/library/api) or "
            + "oci:PATH[:tag] for a layout. Credentials come from --username with --password-stdin, else docker's "
            + "config.json (auths, credHelpers, credsStore). Plain http is used for loopback registries only, unless --insecure.",
        subcommands: [
            RegistryListCommand.self, RegistryDigestCommand.self, RegistryInspectCommand.self, RegistryTagCommand.self,
            RegistryCopyCommand.self, RegistrySyncCommand.self, RegistryRemoveCommand.self, RegistryCatalogCommand.self,
        ])
}
