import BerthCore
import Foundation

/// Failures of the registry client that aren't a registry's answer: configuration and refused requests.
enum RegistryError {
    static func configuration(_ message: String) -> ImageStoreError { ImageStoreError(.invalid, message) }

    /// A URL for messages: no user-info, no query values (upload URLs carry state tokens).
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<url>" }
        components.user = nil
        components.password = nil
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { item in
                ["n", "last", "mount", "from", "digest"].contains(item.name)
                    ? item : URLQueryItem(name: item.name, value: "redacted")
            }
        }
        return components.string ?? "<url>"
    }

    /// The registry's error document: `{"errors":[{"code":"…","message":"…"}]}`.
    static func errorCodes(_ body: Data) -> (code: String, message: String)? {
        struct Document: Decodable {
            struct Entry: Decodable {
                let code: String?
                let message: String?
            }
            let errors: [Entry]?
        }
        guard let first = (try? JSONDecoder().decode(Document.self, from: body))?.errors?.first else { return nil }
        return (first.code ?? "", first.message ?? "")
    }

    /// A one-line error for a failed response: method, redacted URL, status, the registry's code, a hint.
    static func http(_ request: HTTPRequest, _ response: HTTPResponse, host: String) -> ImageStoreError {
        let codes = errorCodes(response.body)
        var line = "\(request.method) \(redacted(request.url)): \(response.status)"
        if let codes, !codes.code.isEmpty { line += " \(codes.code)" }
        if let message = codes?.message, !message.isEmpty { line += ": \(oneLine(message))" }
        let image = imageName(request.url, host: host)
        if response.status == 412 {
            return harborPrecondition(line, code: codes?.code ?? "", message: codes?.message ?? "", image: image)
        }
        if response.status == 409, let message = codes?.message, message.lowercased().contains("immutable") {
            return ImageStoreError(.conflict, line + "; " + immutableHint(image))
        }
        let (kind, hint) = classify(response.status, code: codes?.code ?? "", host: host, method: request.method)
        return ImageStoreError(kind, line + "; " + hint)
    }

    /// Harbor's 412s: `PROJECTPOLICYVIOLATION` (or a bodiless 412, what a HEAD gets) when a project policy
    /// refuses to serve an image (vulnerability prevention, cosign or notation signatures required), and
    /// `PRECONDITION` naming immutability when a tag immutability rule protects a tag
    /// (src/server/middleware/immutable, src/controller/tag in goharbor/harbor).
    static func harborPrecondition(_ line: String, code: String, message: String, image: String) -> ImageStoreError {
        if message.lowercased().contains("immutable") {
            return ImageStoreError(.conflict, line + "; " + immutableHint(image))
        }
        if code == "PROJECTPOLICYVIOLATION" || code.isEmpty {
            return ImageStoreError(
                .policy,
                line
                    + "; Harbor's project policy refuses to serve \(image) (vulnerability prevention or a signature requirement): fix or sign the image, or ask the project's admin for a CVE allowlist entry; berth promote retags through Harbor's API instead"
            )
        }
        return ImageStoreError(
            .policy, line + "; Harbor refused \(image) on a precondition of its own: ask the project's admin what it requires")
    }

    static func immutableHint(_ image: String) -> String {
        "a Harbor tag immutability rule protects \(image): release a new version instead, or ask the project's admin to change the rule"
    }

    /// `host/repo:tag` or `host/repo@sha256:…` of a `/v2/<repo>/manifests/<reference>` URL; the URL otherwise.
    static func imageName(_ url: URL, host: String) -> String {
        let path = url.path
        guard path.hasPrefix("/v2/"), let range = path.range(of: "/manifests/", options: .backwards) else {
            return redacted(url)
        }
        let repository = path[path.index(path.startIndex, offsetBy: 4)..<range.lowerBound]
        let reference = String(path[range.upperBound...])
        return "\(host)/\(repository)" + (reference.hasPrefix("sha256:") ? "@" : ":") + reference
    }

    /// A registry's message on one line, at most 300 characters (Harbor's policy messages run long).
    static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }

    static func classify(_ status: Int, code: String, host: String, method: String) -> (ImageStoreError.Kind, String) {
        switch status {
        case 401: return (.unauthorized, "check the credentials: docker login \(host), or --username with --password-stdin")
        case 403: return (.denied, "the credential lacks permission for this repository; ask for push/pull rights")
        case 404:
            return (.notFound, code == "NAME_UNKNOWN" ? "the repository doesn't exist" : "no such tag, digest or repository")
        case 405 where method == "DELETE": return (.unsupported, deletionHint(host))
        case 405: return (.unsupported, "the registry doesn't allow \(method) here")
        case 409: return (.conflict, "the registry refused a change to existing content (an immutable tag?)")
        case 429: return (.unavailable, "rate limited: wait and retry, or log in for a higher limit")
        case 500...599: return (.unavailable, "the registry failed; retry later")
        default: return (.invalid, "unexpected answer from the registry")
        }
    }

    /// Registries that disable the distribution API's DELETE name their own API.
    static func deletionHint(_ host: String) -> String {
        if host == "docker.io" {
            return "Docker Hub doesn't delete through the registry API; use Docker Hub's web API (hub.docker.com) or its UI"
        }
        if host == "ghcr.io" {
            return "GHCR doesn't delete through the registry API; delete the package version with the GitHub Packages REST API"
        }
        if host.hasSuffix(".azurecr.io") { return "ACR deletes through its own API: az acr repository delete" }
        if host.hasSuffix("amazonaws.com") { return "ECR deletes through its own API: aws ecr batch-delete-image" }
        return
            "deletion is disabled on this registry (Docker Distribution: storage.delete.enabled: true; Harbor: delete through /api/v2.0/projects/…/artifacts)"
    }
}
