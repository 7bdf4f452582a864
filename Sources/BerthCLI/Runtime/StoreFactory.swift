import BerthCore
import BerthLayout
import BerthOCI
import BerthRegistry
import Foundation

/// Builds the `ImageStore` a reference names: a registry client (credentials from --username and
/// --password-stdin, else docker's config.json) or an OCI layout. One client per registry host, so
/// connections and tokens are shared within a command. Registry timeouts come from
/// `BERTH_REGISTRY_TIMEOUT` and `BERTH_REGISTRY_ATTEMPT_TIMEOUT`, PATCH chunks (instead of one PUT per blob)
/// from `BERTH_REGISTRY_CHUNK_SIZE`; with `-v` each retry is told on stderr.
/// Each client keeps where blobs were seen on its host in the user's cache (`BlobLocationCache`;
/// `BERTH_BLOB_CACHE=off` keeps none), so copies mount what the registry holds elsewhere.
final class StoreFactory: ImageStoreProvider {
    let username: String?
    let insecure: Bool
    let environment: [String: String]
    let timeouts: RegistryTimeouts
    /// PATCH chunks of this size instead of one PUT per blob (`BERTH_REGISTRY_CHUNK_SIZE`).
    let chunkSize: Int?
    /// Whether retries are told on stderr (`-v`).
    let verbose: Bool
    private let clients = Locked<[String: RegistryClient]>([:])
    private let password: String?

    /// `options` nil: no credentials from the command line, TLS verified (commands without registry flags).
    /// `verbose` defaults to whether the command line has `-v`/`--verbose` (GlobalOptions' flag, which
    /// commands don't hand over).
    init(
        options: RegistryOptions?, environment: [String: String],
        verbose: Bool = StoreFactory.verboseRequested(CommandLine.arguments)
    ) throws {
        username = options?.username
        insecure = options?.insecure ?? false
        self.environment = environment
        self.verbose = verbose
        do {
            timeouts = try RegistryTimeouts.from(environment: environment)
            chunkSize = try RegistryClient.chunkSize(environment: environment)
        } catch let error as ImageStoreError {
            throw BerthError(.usage, error.message)
        }
        if options?.passwordStdin == true {
            guard username != nil else {
                throw BerthError(.usage, "--password-stdin needs --username NAME")
            }
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            password = input.trimmingCharacters(in: .newlines)
        } else if username != nil {
            throw BerthError(
                .usage, "--username needs the password on standard input: pass --password-stdin (never on the command line)")
        } else {
            password = nil
        }
    }

    /// Parses `text` as a reference (`host/repo:tag`, `repo@sha256:…`, `oci:PATH:tag`).
    static func reference(_ text: String) throws -> ImageReference {
        do { return try ImageReference(parsing: text) } catch { throw BerthError(.badInput, error.description) }
    }

    func store(for reference: ImageReference) throws -> any ImageStore { try store(for: reference, createLayout: false) }

    func store(for reference: ImageReference, createLayout: Bool) throws -> any ImageStore {
        switch reference.store {
        case .layout(let path):
            return try OCILayoutStore(path: path, create: createLayout)
        case .registry(let host):
            return try client(host)
        }
    }

    func client(_ host: String) throws -> RegistryClient {
        try clients.withLock { clients in
            if let existing = clients[host] { return existing }
            let client = try makeClient(host)
            clients[host] = client
            return client
        }
    }

    /// --username/--password-stdin, else docker's config.json.
    private func credentials() throws -> ChainedCredentials {
        var sources: [any CredentialSource] = []
        if let username, let password {
            sources.append(StaticCredentials(.basic(username: username, password: password)))
        }
        sources.append(try DockerConfigCredentials(environment: environment))
        return ChainedCredentials(sources)
    }

    /// Harbor's API for the registry `host`, at `url` when it isn't on the registry's own host, with the
    /// registry's credentials.
    func harborAPI(host: String, url: String?) throws -> HarborAPI {
        let base: URL
        if let url {
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
                parsed.host != nil, parsed.query == nil, parsed.user == nil
            else {
                throw BerthError(
                    .usage,
                    "--harbor-url '\(url)' is not an http(s) URL without credentials or query, such as https://harbor.example")
            }
            base = parsed
        } else {
            guard let url = HarborAPI.baseURL(ofRegistry: host, insecure: insecure) else {
                throw BerthError(.badInput, "registry host '\(host)' is not an address Harbor's API can be reached at")
            }
            base = url
        }
        return HarborAPI(
            baseURL: base, registryHost: host, credentials: try credentials(), transport: AsyncHTTPClientTransport.shared,
            insecure: insecure, timeout: timeouts.attempt)
    }

    private func makeClient(_ host: String) throws -> RegistryClient {
        let credentials = try credentials()
        var onRetry: (@Sendable (RetryEvent) -> Void)?
        if verbose {
            onRetry = { event in
                let line = TerminalText.escaped(event.description)
                Terminal.writeError("berth: \(line)\n")
            }
        }
        return RegistryClient(
            host: host, credentials: credentials, transport: AsyncHTTPClientTransport.shared,
            insecure: insecure, timeouts: timeouts, chunkSize: chunkSize,
            blobLocations: BlobLocationCache.root(environment: environment).map { BlobLocationCache(root: $0, host: host) },
            onRetry: onRetry)
    }

    /// Whether `arguments` (a process's, program name first) ask for `-v`: `--verbose`, `-v`, or `-v` among
    /// combined short flags (`-qv`); nothing after `--` counts.
    static func verboseRequested(_ arguments: [String]) -> Bool {
        for argument in arguments.dropFirst() {
            if argument == "--" { return false }
            if argument == "--verbose" { return true }
            let letters = argument.dropFirst()
            if argument.hasPrefix("-"), !argument.hasPrefix("--"), letters.contains("v"),
                letters.allSatisfy({ "qvC".contains($0) })
            {
                return true
            }
        }
        return false
    }
}
