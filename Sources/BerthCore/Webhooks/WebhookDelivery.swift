import BerthOCI

import struct Foundation.Data
import class Foundation.JSONDecoder
import class Foundation.JSONEncoder

/// One webhook delivery as the ledger holds it (`webhook-received`, under the repository
/// `berth:webhooks`): which receiver took it, the sender's id, the body's SHA-256 and size, the request's
/// headers with every credential redacted, and the registry events it reported. Exactly once per
/// receiver and delivery id: a delivery sent again (a retry, a replay) is found, not recorded twice.
public struct WebhookDelivery: Hashable, Sendable {
    /// The ledger repository deliveries and verifications live under; no image.
    public static let ledgerRepository = "berth:webhooks"

    public var receiver: String
    public var source: WebhookPayload.Source
    /// The sender's delivery id, else the body's digest.
    public var deliveryID: String
    public var eventType: String
    public var bodyDigest: Digest
    public var bodySize: Int
    /// `name: value` lines, credentials already redacted (`WebhookDelivery.redacted`).
    public var headers: [String]
    public var events: [RegistryEvent]
    /// Who sent it, as far as the receiver can tell (the peer address).
    public var sender: String?
    /// The ledger event, once recorded.
    public var eventID: Int64?
    public var time: Double?

    public init(
        receiver: String, source: WebhookPayload.Source, payload: WebhookPayload, body: Data, headers: [(String, String)],
        sender: String? = nil
    ) {
        self.receiver = receiver
        self.source = source
        bodyDigest = Digest.sha256(of: body)
        deliveryID = payload.deliveryID.map { String($0.prefix(200)) } ?? bodyDigest.description
        eventType = String(payload.eventType.prefix(120))
        bodySize = body.count
        self.headers = Self.redacted(headers)
        events = payload.events
        self.sender = sender
    }

    /// The once-key: one record per receiver and delivery id.
    public var onceKey: String { "webhook:\(receiver):\(deliveryID)" }

    /// Header names whose values are never written anywhere (they carry or derive from secrets).
    static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-hub-signature", "x-hub-signature-256",
        "x-harbor-signature", "x-registry-token", "x-api-key", "x-auth-token",
    ]

    /// `name: value` lines in order, values of credential headers (and any header whose name says
    /// token, secret, signature, auth or key) replaced by `<redacted>`, each line bounded and printable.
    public static func redacted(_ headers: [(String, String)]) -> [String] {
        headers.prefix(64).map { name, value in
            let lower = name.lowercased()
            let secret =
                secretHeaders.contains(lower)
                || ["token", "secret", "signature", "auth", "key", "password"].contains { lower.contains($0) }
            return printable(lower, limit: 64) + ": " + (secret ? "<redacted>" : printable(value, limit: 200))
        }
    }

    static func printable(_ text: String, limit: Int) -> String {
        String(
            text.prefix(limit).unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : Character($0) }
        )
    }

    enum Key {
        static let receiver = "webhook.receiver"
        static let source = "webhook.source"
        static let delivery = "webhook.delivery"
        static let type = "webhook.type"
        static let bodyDigest = "webhook.body.sha256"
        static let bodySize = "webhook.body.size"
        static let headers = "webhook.headers"
        static let events = "webhook.events"
        static let sender = "webhook.sender"
    }

    public func event(actor: String, time: Double) -> LedgerEvent {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let events = (try? encoder.encode(self.events)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        var details = [
            Key.receiver: receiver, Key.source: source.rawValue, Key.delivery: deliveryID, Key.type: eventType,
            Key.bodyDigest: bodyDigest.description, Key.bodySize: String(bodySize), Key.headers: headers.joined(separator: "\n"),
            Key.events: events,
        ]
        if let sender { details[Key.sender] = sender }
        return LedgerEvent(
            kind: .webhookReceived, repository: Self.ledgerRepository, digest: self.events.first?.digest?.description,
            actor: actor, time: time, reason: self.events.map(\.summary).joined(separator: "; ").prefix(500).description,
            details: details, onceKey: onceKey)
    }

    /// Reads a `webhook-received` event; nil for another kind.
    public init?(_ event: LedgerEvent) {
        guard event.kind == .webhookReceived, let receiver = event.details[Key.receiver],
            let source = event.details[Key.source].flatMap(WebhookPayload.Source.init(rawValue:)),
            let digest = event.details[Key.bodyDigest].flatMap(Digest.init)
        else { return nil }
        self.receiver = receiver
        self.source = source
        deliveryID = event.details[Key.delivery] ?? digest.description
        eventType = event.details[Key.type] ?? ""
        bodyDigest = digest
        bodySize = event.details[Key.bodySize].flatMap(Int.init) ?? 0
        headers = (event.details[Key.headers] ?? "").split(separator: "\n").map(String.init)
        events =
            (event.details[Key.events]).flatMap { try? JSONDecoder().decode([RegistryEvent].self, from: Data($0.utf8)) } ?? []
        sender = event.details[Key.sender]
        eventID = event.id
        time = event.time
    }
}
