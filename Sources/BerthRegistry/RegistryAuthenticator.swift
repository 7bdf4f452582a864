import BerthCore
import BerthOCI
import Foundation

/// Answers a registry's authentication challenges and remembers the result: Basic credentials, or
/// Bearer tokens from the realm the registry names (distribution "Token Authentication"), asked for the
/// union of every scope needed so far, reused until they expire.
actor RegistryAuthenticator {
    let host: String
    let credentials: any CredentialSource
    let transport: any HTTPTransport
    let allowInsecure: Bool
    private var basic = false
    private var bearer: (token: String, scopes: ScopeSet, expires: ContinuousClock.Instant)?
    private var granted = ScopeSet()
    private var challenge: AuthChallenge?

    init(host: String, credentials: any CredentialSource, transport: any HTTPTransport, allowInsecure: Bool) {
        self.host = host
        self.credentials = credentials
        self.transport = transport
        self.allowInsecure = allowInsecure
    }

    /// The Authorization header to send for `scopes`: Basic once the registry asked for it, a cached
    /// Bearer token that covers `scopes`, or, once the realm is known, a new token for the union of every
    /// scope so far (saving the 401 round trip). Nil before the first challenge.
    func authorization(for scopes: ScopeSet) async throws -> String? {
        if basic { return try credentials.credential(for: host)?.basicHeader }
        if let bearer, bearer.expires > .now, bearer.scopes.covers(scopes) { return "Bearer \(bearer.token)" }
        guard let challenge else { return nil }
        return "Bearer \(try await token(challenge, wanted: granted.union(scopes)))"
    }

    /// Handles a 401: learns the challenge and returns the header to retry with, or throws when no
    /// credential can answer it. `sent` is the header the refused request carried.
    func respond(to response: HTTPResponse, scopes: ScopeSet, request: HTTPRequest, sent: String?) async throws -> String {
        let challenges = response.headerValues("WWW-Authenticate").flatMap(AuthChallenge.parse)
        if let bearerChallenge = challenges.first(where: { $0.scheme == "bearer" }) {
            challenge = bearerChallenge
            var wanted = granted.union(scopes)
            if let scope = bearerChallenge.parameters["scope"] {
                for part in scope.split(separator: " ") { wanted.insert(String(part)) }
            }
            // Another request may have fetched a wider token while this one was out.
            if let bearer, bearer.expires > .now, bearer.scopes.covers(wanted), "Bearer \(bearer.token)" != sent {
                return "Bearer \(bearer.token)"
            }
            if sent != nil, let bearer, bearer.scopes.covers(wanted), "Bearer \(bearer.token)" == sent {
                throw ImageStoreError(
                    .denied,
                    "\(request.method) \(RegistryError.redacted(request.url)): 401 with a token for \(wanted.parameters.joined(separator: " ")); the credential lacks that access"
                )
            }
            return "Bearer \(try await token(bearerChallenge, wanted: wanted))"
        }
        if challenges.contains(where: { $0.scheme == "basic" }) {
            guard let header = try credentials.credential(for: host)?.basicHeader else {
                throw ImageStoreError(
                    .unauthorized,
                    "\(request.method) \(RegistryError.redacted(request.url)): 401: \(host) wants a user name and password; docker login \(host), or pass --username with --password-stdin"
                )
            }
            if request.url.scheme?.lowercased() != "https" && !RegistryHost.isLoopback(request.url.host ?? "") && !allowInsecure {
                throw ImageStoreError(
                    .denied,
                    "refusing to send a password to \(host) over plain http; use https, or --insecure for a registry you trust")
            }
            if basic && sent == header {
                throw ImageStoreError(
                    .unauthorized,
                    "\(request.method) \(RegistryError.redacted(request.url)): 401: \(host) refused the user name and password; check them"
                )
            }
            basic = true
            return header
        }
        throw ImageStoreError(
            .unauthorized,
            "\(request.method) \(RegistryError.redacted(request.url)): 401 without a usable WWW-Authenticate challenge; check the registry URL"
        )
    }

    /// One token fetch at a time for a given scope set: concurrent requests share it.
    private var inflight: (scopes: ScopeSet, task: Task<String, Error>)?

    func token(_ challenge: AuthChallenge, wanted: ScopeSet) async throws -> String {
        if let inflight, inflight.scopes.covers(wanted) { return try await inflight.task.value }
        let task = Task { try await self.fetchToken(challenge, scopes: wanted) }
        inflight = (wanted, task)
        defer { if inflight?.scopes == wanted { inflight = nil } }
        let token = try await task.value
        granted = granted.union(wanted)
        return token
    }

    /// Asks the realm for a token: OAuth2 POST with credentials (falling back to GET with Basic when the
    /// realm doesn't take POST), GET without credentials for anonymous pulls.
    func fetchToken(_ challenge: AuthChallenge, scopes: ScopeSet) async throws -> String {
        guard let realmText = challenge.parameters["realm"], var components = URLComponents(string: realmText),
            let realmHost = components.host
        else {
            throw ImageStoreError(.unauthorized, "\(host) sent a Bearer challenge without a usable realm; check the registry URL")
        }
        let credential = try credentials.credential(for: host)
        if credential != nil && components.scheme?.lowercased() != "https" && !RegistryHost.isLoopback(realmHost)
            && !allowInsecure
        {
            throw ImageStoreError(
                .denied,
                "refusing to send credentials to token realm \(realmText) over plain http; fix the registry's realm or use --insecure"
            )
        }
        let service = challenge.parameters["service"]
        guard let realmURL = components.url else {
            throw ImageStoreError(.unauthorized, "\(host) sent a Bearer realm that is not a URL; check the registry URL")
        }
        var response: HTTPResponse
        if let credential {
            var form: [(String, String)] = [("client_id", "berth")]
            if let service { form.append(("service", service)) }
            for scope in scopes.parameters { form.append(("scope", scope)) }
            switch credential {
            case .basic(let username, let password):
                form += [("grant_type", "password"), ("username", username), ("password", password)]
            case .identityToken(let token):
                form += [("grant_type", "refresh_token"), ("refresh_token", token)]
            }
            let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
            response = try await transport.send(
                HTTPRequest(
                    method: "POST", url: realmURL,
                    headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8)),
                timeout: .seconds(30))
            if [404, 405, 400].contains(response.status), let header = credential.basicHeader {
                response = try await transport.send(
                    HTTPRequest(
                        method: "GET", url: try tokenURL(&components, service: service, scopes: scopes),
                        headers: [("Authorization", header)]),
                    timeout: .seconds(30))
            }
        } else {
            response = try await transport.send(
                HTTPRequest(method: "GET", url: try tokenURL(&components, service: service, scopes: scopes)),
                timeout: .seconds(30))
        }
        guard response.status == 200 else {
            let hint =
                credential == nil
                ? "docker login \(host), or pass --username with --password-stdin" : "check the credentials for \(host)"
            throw ImageStoreError(.unauthorized, "token request to \(realmHost) answered \(response.status); \(hint)")
        }
        struct TokenReply: Decodable {
            let token: String?
            let accessToken: String?
            let expiresIn: Int?
            enum CodingKeys: String, CodingKey { case token, accessToken = "access_token", expiresIn = "expires_in" }
        }
        guard let reply = try? JSONDecoder().decode(TokenReply.self, from: response.body),
            let token = reply.token ?? reply.accessToken, !token.isEmpty
        else { throw ImageStoreError(.unauthorized, "token service \(realmHost) answered without a token") }
        // Renew a little early; 60 s is the spec's default lifetime.
        let lifetime = max(10, (reply.expiresIn ?? 60) - 5)
        bearer = (token, scopes, .now + .seconds(lifetime))
        return token
    }

    func tokenURL(_ components: inout URLComponents, service: String?, scopes: ScopeSet) throws -> URL {
        var items = components.queryItems ?? []
        if let service { items.append(URLQueryItem(name: "service", value: service)) }
        for scope in scopes.parameters { items.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = items
        guard let url = components.url else {
            throw ImageStoreError(.unauthorized, "\(host) sent a Bearer realm that is not a URL; check the registry URL")
        }
        return url
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
