/// berth.yaml's `server.webhooks`: the registry webhook receivers `berth serve` answers at
/// `/webhooks/<name>`, how large a body it reads, how long it gathers a burst, how often it reconciles.
/// Secrets are named, never held: an environment variable or a file the composition root reads.
public struct WebhookConfiguration: Hashable, Sendable {
    /// Where a receiver's secret comes from.
    public enum SecretSource: Hashable, Sendable, CustomStringConvertible {
        case environment(String)
        case file(String)

        /// Says where, never what.
        public var description: String {
            switch self {
            case .environment(let name): "environment variable \(name)"
            case .file(let path): "file \(path)"
            }
        }
    }

    public struct Receiver: Hashable, Sendable {
        /// The path segment (`[a-z0-9-]`, at most 40) and the name deliveries are recorded under.
        public var name: String
        public var source: WebhookPayload.Source
        /// distribution and harbor: the whole `Authorization` header value the sender is configured to send;
        /// github: the webhook's secret (the HMAC key).
        public var secret: SecretSource
        /// The registry host (`registry.example:5000`) its events are about, when the body's own can't be
        /// trusted (Distribution behind a proxy) or differs from the name berth uses.
        public var registry: String?

        public init(name: String, source: WebhookPayload.Source, secret: SecretSource, registry: String? = nil) {
            self.name = name
            self.source = source
            self.secret = secret
            self.registry = registry
        }

        /// Whether `name` may name a receiver.
        public static func isValidName(_ name: String) -> Bool {
            !name.isEmpty && name.count <= 40 && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        }
    }

    public var receivers: [Receiver] = []
    /// The largest body read; a larger one is refused (413) unread.
    public var maxBodyBytes = 1 << 20
    /// Hints of the same image within this many seconds are verified once.
    public var coalesceSeconds = 2.0
    /// How often the registry is reconciled with the ledger; nil: never.
    public var reconcileSeconds: Double? = 300

    public init() {}
}
