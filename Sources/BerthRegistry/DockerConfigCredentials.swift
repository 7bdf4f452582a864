import BerthCore
import Foundation

/// Credentials from docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
/// `auths` (keys normalised: scheme and path dropped, Docker Hub's `https://index.docker.io/v1/` is
/// `docker.io`), `identitytoken`, per-host `credHelpers` and the default `credsStore`, run through the
/// docker-credential-helper protocol (`docker-credential-NAME get`, host on stdin, JSON out). An `auth`
/// that isn't base64 of `user:password` is a bad-input error naming its key and the file, never its value.
public struct DockerConfigCredentials: CredentialSource {
    struct Entry: Decodable {
        let auth: String?
        let username: String?
        let password: String?
        let identitytoken: String?
    }
    struct File: Decodable {
        let auths: [String: Entry]?
        let credHelpers: [String: String]?
        let credsStore: String?
    }

    let file: File?
    let path: String
    /// Where credential helpers are looked up.
    let searchPath: String
    /// How long a credential helper may take before it is killed: 10 s, or `BERTH_CREDENTIAL_HELPER_TIMEOUT`.
    let helperTimeout: Duration

    /// Reads the config named by `environment` (`DOCKER_CONFIG`, `HOME`); a missing file means none.
    public init(environment: [String: String]) throws {
        let directory =
            environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(environment["HOME"] ?? NSHomeDirectory())/.docker"
        path = "\(directory)/config.json"
        searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        helperTimeout =
            environment["BERTH_CREDENTIAL_HELPER_TIMEOUT"].flatMap(RegistryTimeouts.parseDuration).flatMap {
                $0 > .zero ? $0 : nil
            }
            ?? .seconds(10)
        guard let data = FileManager.default.contents(atPath: path) else {
            file = nil
            return
        }
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw RegistryError.configuration("'\(path)' is not valid docker config JSON; fix or move it")
        }
    }

    /// The host as config.json keys name it: no scheme, no path, Docker Hub as docker.io.
    static func normalize(_ key: String) -> String {
        var host = key
        if let scheme = host.range(of: "://") { host = String(host[scheme.upperBound...]) }
        if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
        if ["index.docker.io", "registry-1.docker.io", "docker.io"].contains(host) { return "docker.io" }
        return host
    }

    public func credential(for host: String) throws -> Credential? {
        guard let file else { return nil }
        let wanted = Self.normalize(host)
        if let helper = file.credHelpers?.first(where: { Self.normalize($0.key) == wanted })?.value {
            return try Self.runHelper(helper, host: wanted, searchPath: searchPath, timeout: helperTimeout)
        }
        if let (key, entry) = file.auths?.first(where: { Self.normalize($0.key) == wanted }) {
            if let token = entry.identitytoken, !token.isEmpty { return .identityToken(token) }
            if let auth = entry.auth, !auth.isEmpty { return try Self.decodeAuth(auth, key: key, path: path) }
            if let username = entry.username, let password = entry.password {
                return .basic(username: username, password: password)
            }
        }
        if let store = file.credsStore, !store.isEmpty {
            return try Self.runHelper(store, host: wanted, searchPath: searchPath, timeout: helperTimeout)
        }
        return nil
    }

    /// An `auths` entry's `auth`: base64 of `user:password`, as `docker login` writes it (line breaks in
    /// the base64 ignored, as docker does). Anything else is an error naming the key and the file, never
    /// the value: ignoring it would send the request anonymously and fail far from the cause.
    static func decodeAuth(_ auth: String, key: String, path: String) throws -> Credential {
        let fix = "run docker login \(normalize(key)) again, or fix or remove that entry"
        guard let data = Data(base64Encoded: auth.filter { $0 != "\n" && $0 != "\r" }) else {
            throw RegistryError.configuration("'\(path)': the auth of auths entry '\(key)' is not valid base64; \(fix)")
        }
        let decoded = String(decoding: data, as: UTF8.self)
        guard let colon = decoded.firstIndex(of: ":") else {
            throw RegistryError.configuration(
                "'\(path)': the auth of auths entry '\(key)' is not base64 of user:password (it has no ':'); \(fix)")
        }
        return .basic(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
    }

    /// `docker-credential-NAME get` with the server on stdin; "credentials not found" means none. A helper
    /// that hasn't answered within `timeout` is killed and named in the error.
    static func runHelper(_ name: String, host: String, searchPath: String, timeout: Duration = .seconds(10)) throws
        -> Credential?
    {
        let executable = "docker-credential-\(name)"
        guard
            let path = searchPath.split(separator: ":").map({ "\($0)/\(executable)" })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw RegistryError.configuration(
                "credential helper '\(executable)' is not on PATH; install it or remove it from config.json")
        }
        // Docker Hub's helper key is its v1 URL.
        let server = host == "docker.io" ? "https://index.docker.io/v1/" : host
        let outcome: CredentialHelperProcess.Outcome?
        do {
            outcome = try CredentialHelperProcess.run(path: path, arguments: ["get"], input: Data(server.utf8), timeout: timeout)
        } catch {
            throw RegistryError.configuration(
                "can't run credential helper '\(executable)'; install it or remove it from config.json")
        }
        guard let outcome else {
            throw ImageStoreError(
                .unavailable,
                "credential helper '\(executable)' gave no answer for \(host) within \(RegistryTimeouts.words(timeout)) and was stopped; check that it works (echo \(server) | \(executable) get), or remove it from config.json (credHelpers, credsStore); BERTH_CREDENTIAL_HELPER_TIMEOUT allows longer"
            )
        }
        let data = outcome.output
        guard outcome.status == 0 else {
            if String(decoding: data, as: UTF8.self).contains("credentials not found") { return nil }
            throw RegistryError.configuration(
                "credential helper '\(executable)' failed for \(host) (exit \(outcome.status)); run docker login \(host)")
        }
        struct Reply: Decodable {
            let username: String
            let secret: String
            enum CodingKeys: String, CodingKey { case username = "Username", secret = "Secret" }
        }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else {
            throw RegistryError.configuration("credential helper '\(executable)' answered something that isn't its JSON")
        }
        return reply.username == "<token>"
            ? .identityToken(reply.secret) : .basic(username: reply.username, password: reply.secret)
    }
}
