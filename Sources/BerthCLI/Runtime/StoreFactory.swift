import BerthCore
import BerthLayout
import BerthOCI
import BerthRegistry
import Foundation

/// Builds the `ImageStore` a reference names: a registry client (credentials from --username and
/// --password-stdin, else docker's config.json) or an OCI layout. One client per registry host, so
/// connections and tokens are shared within a command.
final class StoreFactory: @unchecked Sendable {
    let options: RegistryOptions
    let environment: [String: String]
    private var clients: [String: RegistryClient] = [:]
    private var password: String?

    init(options: RegistryOptions, environment: [String: String]) throws {
        self.options = options
        self.environment = environment
        if options.passwordStdin {
            guard options.username != nil else {
                throw BerthError(.usage, "--password-stdin needs --username NAME")
            }
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            password = input.trimmingCharacters(in: .newlines)
        } else if options.username != nil {
            throw BerthError(
                .usage, "--username needs the password on standard input: pass --password-stdin (never on the command line)")
        }
    }

    /// Parses `text` as a reference (`host/repo:tag`, `repo@sha256:…`, `oci:PATH:tag`).
    static func reference(_ text: String) throws -> ImageReference {
        do { return try ImageReference(parsing: text) } catch { throw BerthError(.badInput, error.description) }
    }

    func store(for reference: ImageReference, createLayout: Bool = false) throws -> any ImageStore {
        switch reference.store {
        case .layout(let path):
            return try OCILayoutStore(path: path, create: createLayout)
        case .registry(let host):
            return try client(host)
        }
    }

    func client(_ host: String) throws -> RegistryClient {
        if let existing = clients[host] { return existing }
        var sources: [any CredentialSource] = []
        if let username = options.username, let password {
            sources.append(StaticCredentials(.basic(username: username, password: password)))
        }
        sources.append(try DockerConfigCredentials(environment: environment))
        let client = RegistryClient(
            host: host, credentials: ChainedCredentials(sources), transport: AsyncHTTPClientTransport.shared,
            insecure: options.insecure)
        clients[host] = client
        return client
    }
}
