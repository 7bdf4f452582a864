import BerthOCI

/// Docker Distribution's notifications (`application/vnd.docker.distribution.events.v1+json`): an
/// envelope `{"events": [...]}` whose pushes and deletes of manifests become registry events; pulls,
/// mounts and blob uploads are left out.
enum DistributionNotification {
    static func read(_ root: JSONValue, registry: String?) throws(WebhookRejection) -> WebhookPayload {
        guard case .array(let items)? = root["events"] else {
            throw .malformed("a Distribution notification holds an 'events' array")
        }
        var events: [RegistryEvent] = []
        var ids: [String] = []
        var actions: [String] = []
        for item in items {
            guard case .object = item else { throw .malformed("events[] holds a non-object") }
            let action = try item.string("action", in: "event") ?? ""
            actions.append(action)
            if let id = try item.string("id", in: "event") { ids.append(id) }
            let target = try item.object("target", in: "event") ?? .object([:])
            let mediaType = try target.string("mediaType", in: "target")
            switch action {
            case "pull", "mount": continue
            case "push":
                // Blob uploads carry application/octet-stream or a layer type; only manifests and indexes change tags.
                guard let mediaType, Self.isManifest(mediaType) else { continue }
            case "delete": break
            default: throw .unknownEventType(action)
            }
            let digest = try target.string("digest", in: "target").flatMap(Digest.init)
            let tag = try target.string("tag", in: "target").flatMap { ImageTag.isValid($0) ? $0 : nil }
            // Nothing to check without a digest or a tag.
            guard digest != nil || tag != nil else { continue }
            let path = try target.string("repository", in: "target") ?? ""
            let urlHost = try target.string("url", in: "target").flatMap(Self.host(ofURL:))
            let requestHost = try item.object("request", in: "event")?.string("host", in: "request")
            let host = registry ?? urlHost ?? requestHost ?? ""
            guard let repository = WebhookPayload.repository(host: host, path: path) else {
                throw .malformed("target.repository '\(path.prefix(80))' on '\(host.prefix(80))' is not a repository")
            }
            var references: [Digest] = []
            for reference in try target.array("references", in: "target") {
                if let digest = try reference.string("digest", in: "reference").flatMap(Digest.init) {
                    references.append(digest)
                }
            }
            events.append(
                RegistryEvent(
                    action: action == "push" ? .push : .delete, repository: repository,
                    digest: digest, tag: tag, mediaType: mediaType, references: references,
                    actor: try item.object("actor", in: "event")?.string("name", in: "actor")))
        }
        return WebhookPayload(
            deliveryID: ids.isEmpty ? nil : ids.joined(separator: ","),
            eventType: Array(Set(actions)).sorted().joined(separator: ","), events: events)
    }

    static func isManifest(_ mediaType: String) -> Bool {
        mediaType.contains("manifest") || mediaType.contains("image.index")
    }

    /// `127.0.0.1:5055` of `http://127.0.0.1:5055/v2/…`.
    static func host(ofURL text: String) -> String? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }
        return host.isEmpty ? nil : String(host)
    }
}
