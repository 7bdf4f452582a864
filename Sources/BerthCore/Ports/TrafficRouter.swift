/// Requests that carry a header with a given value always reach the canary (the seed's `version: beta`).
public struct HeaderRoute: Hashable, Sendable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// How a service's traffic is split between its stable and its canary version.
public struct TrafficSplit: Hashable, Sendable, Codable {
    /// Percent (0...100) of the requests the header rule doesn't claim that reach the canary.
    public var canaryWeight: Int
    /// Requests matching it reach the canary whatever the weight; nil: no header rule.
    public var header: HeaderRoute?

    public init(canaryWeight: Int, header: HeaderRoute? = nil) {
        self.canaryWeight = canaryWeight
        self.header = header
    }

    /// Everything on stable, no header rule: where an aborted canary leaves the service.
    public static let stable = TrafficSplit(canaryWeight: 0)
}

/// Where the split is put in place: nginx (an include, checked and reloaded), HAProxy (its runtime API),
/// Kubernetes (ingress-nginx canary annotations or Gateway API HTTPRoute weights). BerthTraffic has them.
public protocol TrafficRouter: Sendable {
    /// For messages and the ledger: `nginx`, `haproxy`, `kubernetes/ingress-nginx`, `kubernetes/httproute`.
    var name: String { get }
    /// The weight nearest `requested` that this provider can deliver (two replicas can't carry 10 %:
    /// 0, 50 or 100); a step whose effective weight differs from what it asks is refused by the service.
    func effectiveWeight(_ requested: Int) -> Int
    /// Puts `split` in place, reads it back, and returns what is now in effect. Throws a one-line
    /// `BerthError` (what failed, what to do) and leaves the previous split serving when it can't.
    func apply(_ split: TrafficSplit) async throws -> TrafficSplit
    /// What is in effect now, read from the provider itself (not remembered); nil when berth's routing
    /// isn't in place there yet.
    func current() async throws -> TrafficSplit?
    /// Files in the project (relative to it) that carry the split to the cluster through git (GitOps):
    /// the service commits them after each change. Empty (the default): the provider changes directly.
    var versionedFiles: [String] { get }
}

extension TrafficRouter {
    public var versionedFiles: [String] { [] }
}
