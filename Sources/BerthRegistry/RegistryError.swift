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
        if let message = codes?.message, !message.isEmpty { line += ": \(message)" }
        let (kind, hint) = classify(response.status, code: codes?.code ?? "", host: host, method: request.method)
        return ImageStoreError(kind, line + "; " + hint)
    }

    static func classify(_ status: Int, code: String, host: String, method: String) -> (ImageStoreError.Kind, String) {
        switch status {
        case 401: return (.unauthorized, "check the credentials: docker login \(host), or --username with --password-stdin")
        case 403: return (.denied, "the credential lacks permission for this repository; ask for push/pull rights")
        case 404:
            return (.notFound, code == "NAME_UNKNOWN" ? "the repository doesn't exist" : "no such tag, digest or repository")
        case 405 where method == "DELETE": return (.unsupported, deletionHint(host))
        case 405: return (.unsupported, "the registry doesn't allow \(method) here")
        case 412 where code == "PROJECTPOLICYVIOLATION" || code.isEmpty:
            return (
                .policy,
                "Harbor refused it under a project policy (vulnerability prevention, signed images or immutable tags): fix the image or ask the project's admin"
            )
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
