/// berth.yaml's `server.anonymous_read` and `server.proxy`: who may use `berth serve` besides token holders.
public struct ServerAccessConfiguration: Hashable, Sendable {
    /// Whether reads (the board, history, the read API) answer without credentials, as the viewer
    /// `anonymous`; off unless switched on. Nothing that changes state ever does.
    public var anonymousRead = false
    /// The authenticating proxy `--auth proxy` trusts, and the roles its users get; nil: none configured.
    public var proxy: ProxyAccess?

    public init(anonymousRead: Bool = false, proxy: ProxyAccess? = nil) {
        self.anonymousRead = anonymousRead
        self.proxy = proxy
    }
}
