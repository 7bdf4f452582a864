import BerthOCI

/// Harbor's webhooks: the Default format (`{"type": "PUSH_ARTIFACT", "event_data": {...}}`, also the
/// 1.x names such as `pushImage`), and CloudEvents (`{"specversion": "1.0", "type":
/// "harbor.artifact.pushed", "data": {...}}`).
enum HarborWebhook {
    /// Every event type Harbor sends, by name, and what berth makes of it (nil: nothing).
    static let actions: [String: RegistryEvent.Action?] = [
        "PUSH_ARTIFACT": .push, "pushImage": .push, "harbor.artifact.pushed": .push,
        "DELETE_ARTIFACT": .delete, "deleteImage": .delete, "harbor.artifact.deleted": .delete, "DELETE_TAG": .delete,
        "SCANNING_COMPLETED": .scanCompleted, "scanningCompleted": .scanCompleted, "harbor.scan.completed": .scanCompleted,
        "SCANNING_FAILED": .scanFailed, "scanningFailed": .scanFailed, "harbor.scan.failed": .scanFailed,
        "SCANNING_STOPPED": .scanFailed, "scanningStopped": .scanFailed, "harbor.scan.stopped": .scanFailed,
        "PULL_ARTIFACT": nil, "pullImage": nil, "harbor.artifact.pulled": nil,
        "QUOTA_EXCEED": nil, "QUOTA_WARNING": nil, "harbor.quota.exceeded": nil, "harbor.quota.warned": nil,
        "REPLICATION": nil, "replication": nil, "harbor.replication.status.changed": nil,
        "TAG_RETENTION": nil, "harbor.tag_retention.finished": nil,
        "uploadChart": nil, "downloadChart": nil, "deleteChart": nil, "CREATE_TAG": nil, "ARTIFACT_LABELED": nil,
        "CREATE_PROJECT": nil, "DELETE_PROJECT": nil, "DELETE_REPOSITORY": nil, "CREATE_ROBOT": nil, "DELETE_ROBOT": nil,
    ]

    static func read(_ root: JSONValue, registry: String?) throws(WebhookRejection) -> WebhookPayload {
        guard let type = try root.string("type", in: "body") else { throw .malformed("a Harbor webhook has a 'type'") }
        guard let known = actions[type] else { throw .unknownEventType(type) }
        let cloudEvent = root["specversion"] != nil
        let data = try root.object(cloudEvent ? "data" : "event_data", in: "body")
        let deliveryID = cloudEvent ? try root.string("id", in: "body") : nil
        guard let action = known, let data else {
            return WebhookPayload(deliveryID: deliveryID, eventType: type, events: [])
        }
        let operatorName = try root.string("operator", in: "body")
        let path = try data.object("repository", in: "event_data")?.string("repo_full_name", in: "repository")
        var events: [RegistryEvent] = []
        for resource in try data.array("resources", in: "event_data") {
            guard case .object = resource else { throw .malformed("resources[] holds a non-object") }
            let url = try resource.string("resource_url", in: "resource") ?? ""
            let host = registry ?? String(url.prefix { $0 != "/" })
            // Without repo_full_name, the resource URL's path (less its tag or digest) names the repository.
            let named = path ?? Self.path(ofResource: url)
            guard let repository = WebhookPayload.repository(host: host, path: named) else {
                throw .malformed("repository '\(named.prefix(80))' on '\(host.prefix(80))' is not a repository")
            }
            let digest = try resource.string("digest", in: "resource").flatMap(Digest.init)
            // A pull by digest names the digest as its tag.
            let tag = try resource.string("tag", in: "resource").flatMap { ImageTag.isValid($0) ? $0 : nil }
            guard digest != nil || tag != nil else { continue }
            events.append(
                RegistryEvent(
                    action: action, repository: repository, digest: digest, tag: tag, actor: operatorName,
                    scan: action == .scanCompleted ? try Self.scan(resource) : nil))
        }
        return WebhookPayload(deliveryID: deliveryID, eventType: type, events: events)
    }

    /// `test/alpine/helm` of `harbor.example/test/alpine/helm:3.8.1`.
    static func path(ofResource url: String) -> String {
        var rest = Substring(url.drop { $0 != "/" }.dropFirst())
        if let at = rest.firstIndex(of: "@") { rest = rest[..<at] }
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }

    /// The vulnerability report's summary in `scan_overview` (keyed by its media type).
    static func scan(_ resource: JSONValue) throws(WebhookRejection) -> ScanSummary? {
        guard let overview = try resource.object("scan_overview", in: "resource")?.objectValue else { return nil }
        guard
            let report = overview.sorted(by: { $0.key < $1.key }).first(where: { $0.key.contains("vulnerability") })?.value,
            case .object = report
        else { return nil }
        let summary = try report.object("summary", in: "scan_overview")
        var counts: [String: Int] = [:]
        for (name, value) in try summary?.object("summary", in: "summary")?.objectValue ?? [:] {
            guard case .integer(let count) = value, count >= 0, let exact = Int(exactly: count) else {
                throw .malformed("scan_overview summary.\(name.prefix(40)) is not a count")
            }
            counts[name.lowercased()] = exact
        }
        return ScanSummary(
            scanner: try report.object("scanner", in: "scan_overview")?.string("name", in: "scanner") ?? "unknown",
            status: try report.string("scan_status", in: "scan_overview") ?? "unknown", counts: counts,
            total: summary?.integer("total"), reportID: try report.string("report_id", in: "scan_overview"),
            completed: try report.string("end_time", in: "scan_overview").flatMap(RFC3339.seconds),
            completePercent: report.integer("complete_percent"))
    }
}
