import BerthOCI

/// GitHub's `package` (and older `registry_package`) events: a container version published or updated in
/// GitHub Packages (ghcr.io). Other ecosystems (npm, Maven) are left out; `ping` holds no event.
enum GitHubPackageWebhook {
    static func read(_ root: JSONValue, event: String, delivery: String?, registry: String?) throws(WebhookRejection)
        -> WebhookPayload
    {
        switch event {
        case "ping": return WebhookPayload(deliveryID: delivery, eventType: "ping", events: [])
        case "package", "registry_package": break
        default: throw .unknownEventType(event.isEmpty ? "(no X-GitHub-Event)" : event)
        }
        let action = try root.string("action", in: "body") ?? ""
        let type = "\(event).\(action)"
        guard action == "published" || action == "updated" else { throw .unknownEventType(type) }
        guard let package = try root.object(event, in: "body") else { throw .malformed("no '\(event)' object") }
        let packageType = (try package.string("package_type", in: event) ?? "").lowercased()
        let version = try package.object("package_version", in: event) ?? .object([:])
        let metadata = try version.object("container_metadata", in: "package_version")
        // GitHub's own examples label a container `npm` with ecosystem `docker` (and an npm package the same):
        // a container is one whose type says so or that carries container metadata.
        guard ["docker", "container"].contains(packageType) || metadata != nil else {
            return WebhookPayload(deliveryID: delivery, eventType: type, events: [])
        }
        let repository = try Self.repository(package: package, version: version, event: event, registry: registry)
        // `version` is the manifest digest; the metadata's digests are, in GitHub's own examples, not always one.
        let versionDigest = try version.string("version", in: "package_version").flatMap(Digest.init)
        let manifestDigest = try metadata?.object("manifest", in: "container_metadata")?.string("digest", in: "manifest")
            .flatMap(Digest.init)
        let digest = versionDigest ?? manifestDigest
        let tagName = try metadata?.object("tag", in: "container_metadata")?.string("name", in: "tag")
        let tag = tagName.flatMap { ImageTag.isValid($0) ? $0 : nil }
        let actor = try root.object("sender", in: "body")?.string("login", in: "sender")
        guard digest != nil || tag != nil else { return WebhookPayload(deliveryID: delivery, eventType: type, events: []) }
        return WebhookPayload(
            deliveryID: delivery, eventType: type,
            events: [RegistryEvent(action: .push, repository: repository, digest: digest, tag: tag, actor: actor)])
    }

    /// `ghcr.io/owner/name` from `package_url` (`ghcr.io/Owner/name:tag`), else the namespace and name.
    static func repository(package: JSONValue, version: JSONValue, event: String, registry: String?)
        throws(WebhookRejection) -> String
    {
        if let url = try version.string("package_url", in: "package_version"), url.contains("/") {
            let host = registry ?? String(url.prefix { $0 != "/" })
            let path = HarborWebhook.path(ofResource: url).lowercased()
            if let repository = WebhookPayload.repository(host: host, path: path) { return repository }
        }
        let login = try package.object("owner", in: event)?.string("login", in: "owner")
        let namespace = try package.string("namespace", in: event)?.split(separator: "/").first.map(String.init)
        let owner = login ?? namespace ?? ""
        let name = try package.string("name", in: event) ?? ""
        guard let repository = WebhookPayload.repository(host: registry ?? "ghcr.io", path: "\(owner)/\(name)".lowercased())
        else { throw .malformed("package '\(name.prefix(80))' of '\(owner.prefix(80))' is not a repository") }
        return repository
    }
}
