import Foundation

/// What berth presents to a registry or its token service.
public enum Credential: Sendable, Equatable {
    /// A user name and password (or personal access token).
    case basic(username: String, password: String)
    /// A refresh token from `docker login` (config.json `identitytoken`), traded for access tokens.
    case identityToken(String)

    /// `Basic base64(user:pass)`, for Basic challenges and the token GET fallback.
    var basicHeader: String? {
        guard case .basic(let username, let password) = self else { return nil }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// Finds credentials for a registry host.
public protocol CredentialSource: Sendable {
    func credential(for host: String) throws -> Credential?
}

/// No credentials: anonymous access.
public struct AnonymousCredentials: CredentialSource {
    public init() {}
    public func credential(for host: String) throws -> Credential? { nil }
}

/// One credential for every host (`--username` / `--password-stdin`).
public struct StaticCredentials: CredentialSource {
    let value: Credential
    public init(_ value: Credential) { self.value = value }
    public func credential(for host: String) throws -> Credential? { value }
}

/// Tries sources in order; the first credential found wins.
public struct ChainedCredentials: CredentialSource {
    let sources: [any CredentialSource]
    public init(_ sources: [any CredentialSource]) { self.sources = sources }
    public func credential(for host: String) throws -> Credential? {
        for source in sources {
            if let found = try source.credential(for: host) { return found }
        }
        return nil
    }
}
