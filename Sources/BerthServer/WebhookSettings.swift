import BerthCore

/// A receiver as the server runs it: berth.yaml's receiver with its secret read (by the composition
/// root, from the environment or a file). The secret is compared, never written anywhere.
public struct WebhookReceiver: Sendable {
    public var name: String
    public var source: WebhookPayload.Source
    /// distribution, harbor: the exact `Authorization` value; github: the HMAC key.
    public var secret: String
    public var registry: String?

    public init(name: String, source: WebhookPayload.Source, secret: String, registry: String? = nil) {
        self.name = name
        self.source = source
        self.secret = secret
        self.registry = registry
    }
}

/// What `/webhooks/<name>` needs: the receivers, the body limit, the coalescing window, the reconcile
/// interval and the gate policy a finished Harbor scan is judged by.
public struct WebhookSettings: Sendable {
    public var receivers: [WebhookReceiver]
    public var maxBodyBytes: Int
    public var coalesceSeconds: Double
    /// nil: no periodic reconcile.
    public var reconcileSeconds: Double?
    public var policy: GatePolicy

    public init(
        receivers: [WebhookReceiver] = [], maxBodyBytes: Int = 1 << 20, coalesceSeconds: Double = 2,
        reconcileSeconds: Double? = nil, policy: GatePolicy = GatePolicy()
    ) {
        self.receivers = receivers
        self.maxBodyBytes = maxBodyBytes
        self.coalesceSeconds = coalesceSeconds
        self.reconcileSeconds = reconcileSeconds
        self.policy = policy
    }

    func receiver(named name: String) -> WebhookReceiver? { receivers.first { $0.name == name } }
}
