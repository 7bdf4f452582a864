import BerthOCI

import struct Foundation.Data
import class Foundation.JSONDecoder

/// A webhook body read into registry events: the delivery's own id (when the sender gives one), what it
/// says happened (changes only: pulls, blob uploads and other news are left out) and the sender's name
/// for its event type.
public struct WebhookPayload: Hashable, Sendable {
    /// Which sender's format.
    public enum Source: String, Hashable, Sendable, Codable, CaseIterable {
        case distribution, harbor, github
    }

    /// The sender's id of this delivery (Distribution's event ids, a CloudEvent's id, X-GitHub-Delivery);
    /// nil when it has none (Harbor's Default format): the body's digest stands in.
    public var deliveryID: String?
    /// The sender's event type(s) (`push`, `PUSH_ARTIFACT`, `harbor.artifact.pushed`, `package.published`).
    public var eventType: String
    /// The changes it reports; empty when every event was one berth has no use for (a pull).
    public var events: [RegistryEvent]

    public init(deliveryID: String?, eventType: String, events: [RegistryEvent]) {
        self.deliveryID = deliveryID
        self.eventType = eventType
        self.events = events
    }

    /// Reads `body` in `source`'s format. `registry` names the registry host when the body's own host
    /// should not be trusted or is absent; `eventHeader` is X-GitHub-Event.
    public static func parse(
        _ body: Data, source: Source, registry: String? = nil, eventHeader: String? = nil, deliveryHeader: String? = nil
    ) throws(WebhookRejection) -> WebhookPayload {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: body) } catch {
            throw .malformed("the body is not JSON")
        }
        guard case .object = root else { throw .malformed("the body is not a JSON object") }
        switch source {
        case .distribution: return try DistributionNotification.read(root, registry: registry)
        case .harbor: return try HarborWebhook.read(root, registry: registry)
        case .github:
            return try GitHubPackageWebhook.read(
                root, event: eventHeader ?? "", delivery: deliveryHeader, registry: registry)
        }
    }

    /// `host[:port]/path` for `path` on `host`, checked as an image reference; nil when it isn't one.
    static func repository(host: String, path: String) -> String? {
        let trimmed = path.trimmingSlashes()
        guard !host.isEmpty, !trimmed.isEmpty,
            let reference = try? ImageReference(parsing: "\(host)/\(trimmed)"),
            case .registry(let parsedHost) = reference.store
        else { return nil }
        return "\(parsedHost)/\(reference.repository)"
    }
}

/// Why a webhook body was refused; nothing was recorded.
public enum WebhookRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not JSON, or not the sender's shape (a field of the wrong type, no repository).
    case malformed(String)
    /// An event type berth doesn't know.
    case unknownEventType(String)

    public var description: String {
        switch self {
        case .malformed(let why): why
        case .unknownEventType(let type): "unknown event type '\(type.prefix(80))'"
        }
    }
}

extension String {
    fileprivate func trimmingSlashes() -> String {
        var text = Substring(self)
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}

extension JSONValue {
    /// A string member, else nil; a member of another type is malformed.
    func string(_ key: String, in what: String) throws(WebhookRejection) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .malformed("\(what).\(key) is not a string")
        }
    }

    /// An object member, else nil; a member of another type is malformed.
    func object(_ key: String, in what: String) throws(WebhookRejection) -> JSONValue? {
        switch self[key] {
        case nil, .null?: return nil
        case .object?: return self[key]
        default: throw .malformed("\(what).\(key) is not an object")
        }
    }

    /// An array member, else empty; a member of another type is malformed.
    func array(_ key: String, in what: String) throws(WebhookRejection) -> [JSONValue] {
        switch self[key] {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: throw .malformed("\(what).\(key) is not an array")
        }
    }

    /// An integer member (or a whole number), else nil.
    func integer(_ key: String) -> Int? {
        switch self[key] {
        case .integer(let value)?: Int(exactly: value)
        case .number(let value)?: Int(exactly: value)
        default: nil
        }
    }
}
