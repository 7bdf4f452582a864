import BerthCore
import BerthOCI
import Foundation

/// Harbor's own REST API (`/api/v2.0`, goharbor/harbor api/v2.0/swagger.yaml) beside its registry: an
/// artifact with its scan overview (`RegistryScanSource`, for `berth gate --harbor`), the system-info
/// probe that tells Harbor from other registries, and tags added through the API (`ArtifactTagging`, for
/// a promotion a pull policy would refuse).
///
/// Harbor's API takes Basic credentials (a user's or a robot account's), the same ones `docker login`
/// stored for the registry; they are sent only over https, to a loopback address, or with `--insecure`.
/// Repository names are double-URL-encoded in the path (`a/b` → `a%252Fb`), as the swagger says. Every
/// failure is one line: the method, the redacted URL, Harbor's status and code, what to do.
public struct HarborAPI: RegistryScanSource {
    /// Where `/api/v2.0` lives: `https://harbor.example` (or a path below it, behind a proxy).
    public let baseURL: URL
    /// The registry host the credentials are stored under.
    public let registryHost: String
    let credentials: any CredentialSource
    let transport: any HTTPTransport
    let insecure: Bool
    let timeout: Duration

    public init(
        baseURL: URL, registryHost: String, credentials: any CredentialSource = AnonymousCredentials(),
        transport: any HTTPTransport, insecure: Bool = false, timeout: Duration = .seconds(30)
    ) {
        self.baseURL = baseURL
        self.registryHost = registryHost
        self.credentials = credentials
        self.transport = transport
        self.insecure = insecure
        self.timeout = timeout
    }

    /// The API on the registry's own host: `https://host`, plain http for loopback or `--insecure`, as the
    /// registry client decides; nil for a host that isn't a registry address.
    public static func baseURL(ofRegistry host: String, insecure: Bool) -> URL? {
        guard let registry = RegistryHost(host) else { return nil }
        return URL(string: "\(insecure || registry.isLoopback ? "http" : "https")://\(registry.authority)")
    }

    /// `GET …/artifacts/{reference}?with_scan_overview=true`: the artifact and its vulnerability summary.
    public func artifact(_ repository: String, reference: String) async throws -> Data {
        let url = try artifactURL(repository, reference: reference, query: "?with_scan_overview=true&with_tag=false")
        let response = try await send(
            "GET", url, headers: [("X-Accept-Vulnerabilities", HarborArtifact.reportTypes.joined(separator: ", "))])
        guard response.status == 200 else { throw failure("GET", url, response, image: "\(repository):\(reference)") }
        return response.body
    }

    /// `GET /api/v2.0/systeminfo` (anonymous callers get part of it): whether the host is a Harbor.
    public func isHarbor() async throws -> Bool {
        let url = try endpoint("/systeminfo")
        let response = try await send("GET", url)
        guard response.status == 200, case .object(let info)? = try? JSONDecoder().decode(JSONValue.self, from: response.body)
        else { return false }
        return info["auth_mode"] != nil || info["harbor_version"] != nil
    }

    /// The digest `tag` names in `repository`, read through the API; nil when Harbor has no such tag.
    public func taggedDigest(_ repository: String, tag: String) async throws -> Digest? {
        let url = try artifactURL(repository, reference: tag, query: "?with_tag=false")
        let response = try await send("GET", url)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw failure("GET", url, response, image: "\(repository):\(tag)") }
        let artifact = try HarborArtifact(parsing: response.body, name: "\(registryHost)/\(repository):\(tag)")
        return artifact.digest
    }

    /// `POST …/artifacts/{digest}/tags` with `{"name": tag}`. Harbor refuses a tag that exists elsewhere in
    /// the repository (409): it is removed from that artifact first (`DELETE …/tags/{tag}`, which Harbor's
    /// immutability rules may refuse), then added here. A tag already on `digest` is left as it is.
    public func addTag(_ tag: String, to digest: Digest, in repository: String) async throws {
        let url = try artifactURL(repository, reference: digest.description, query: "", suffix: "/tags")
        let body = try JSONSerialization.data(withJSONObject: ["name": tag])
        let headers = [("Content-Type", "application/json")]
        var response = try await send("POST", url, headers: headers, body: body)
        if response.status == 409 {
            guard let current = try await taggedDigest(repository, tag: tag) else {
                throw failure("POST", url, response, image: "\(repository):\(tag)")
            }
            if current == digest { return }
            let old = try artifactURL(repository, reference: current.description, query: "", suffix: "/tags/\(Self.encoded(tag))")
            let removed = try await send("DELETE", old)
            guard removed.status == 200 else { throw failure("DELETE", old, removed, image: "\(repository):\(tag)") }
            response = try await send("POST", url, headers: headers, body: body)
        }
        guard response.status == 201 || response.status == 200 else {
            throw failure("POST", url, response, image: "\(repository):\(tag)")
        }
    }

    /// `/api/v2.0/projects/{project}/repositories/{repository, double-encoded}/artifacts/{reference}…`.
    func artifactURL(_ repository: String, reference: String, query: String, suffix: String = "") throws -> URL {
        let parts = repository.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw ImageStoreError(
                .invalid,
                "'\(registryHost)/\(repository)' names no Harbor project: Harbor's repositories are PROJECT/NAME, such as \(registryHost)/library/\(repository)"
            )
        }
        let path =
            "/projects/\(Self.encoded(parts[0]))/repositories/\(Self.encoded(Self.encoded(parts[1])))"
            + "/artifacts/\(Self.encoded(reference))\(suffix)"
        return try endpoint(path + query)
    }

    func endpoint(_ path: String) throws -> URL {
        let base = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        guard let url = URL(string: base + "/api/v2.0" + path) else {
            throw ImageStoreError(.invalid, "can't form a Harbor API URL for \(path) under \(RegistryError.redacted(baseURL))")
        }
        return url
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")

    /// Percent-encodes all but RFC 3986's unreserved characters (and `:`, which digests carry).
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// One request; Basic credentials where they may go. Not retried: Harbor's API calls here are cheap
    /// to run again, and a gate that can't read fails closed.
    func send(_ method: String, _ url: URL, headers: [(String, String)] = [], body: Data? = nil) async throws -> HTTPResponse {
        var request = HTTPRequest(
            method: method, url: url, headers: [("Accept", "application/json")] + headers, body: body)
        let secure = url.scheme?.lowercased() == "https" || insecure || RegistryHost.isLoopback(url.host ?? "")
        if let header = try credentials.credential(for: registryHost)?.basicHeader {
            guard secure else {
                throw ImageStoreError(
                    .denied,
                    "refusing to send a password to \(RegistryError.redacted(url)) over plain http; use https, or --insecure for a Harbor you trust"
                )
            }
            request.headers.append(("Authorization", header))
        }
        do {
            return try await transport.send(request, timeout: timeout)
        } catch let error as TransportError {
            throw ImageStoreError(
                error.kind == .untrusted ? .untrusted : .unavailable,
                "\(method) \(RegistryError.redacted(url)): \(error.message); check that Harbor answers there (--harbor-url)")
        }
    }

    /// A refusal in one line, naming the image and what to do.
    func failure(_ method: String, _ url: URL, _ response: HTTPResponse, image: String) -> ImageStoreError {
        let named = "\(registryHost)/\(image)"
        var line = "\(method) \(RegistryError.redacted(url)): \(response.status)"
        let codes = RegistryError.errorCodes(response.body)
        if let code = codes?.code, !code.isEmpty { line += " \(code)" }
        if let message = codes?.message, !message.isEmpty { line += ": \(RegistryError.oneLine(message))" }
        let kind: ImageStoreError.Kind
        let hint: String
        switch response.status {
        case 401:
            (kind, hint) = (
                .unauthorized,
                "Harbor wants a user or robot account for \(named): docker login \(registryHost), or --username with --password-stdin"
            )
        case 403:
            (kind, hint) = (
                .denied,
                "the account may not do this in \(named)'s project: ask its admin for the developer role (tags) or guest (reading)"
            )
        case 404:
            (kind, hint) = (
                .notFound,
                "Harbor has no \(named) (or no API at \(RegistryError.redacted(baseURL))): check the reference, or pass --harbor-url"
            )
        case 412:
            return RegistryError.harborPrecondition(line, code: codes?.code ?? "", message: codes?.message ?? "", image: named)
        case 409:
            (kind, hint) = (.conflict, "Harbor refused the change to \(named): the tag exists on another artifact")
        case 500...599: (kind, hint) = (.unavailable, "Harbor failed; retry later")
        default:
            (kind, hint) = (
                .invalid, "unexpected answer from Harbor's API at \(RegistryError.redacted(baseURL)): check --harbor-url"
            )
        }
        return ImageStoreError(kind, line + "; " + hint)
    }
}
