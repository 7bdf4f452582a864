/// What the ledger says, for the commands and pages that only read it: each environment's state in
/// promotion order, history, and the repositories it knows.
public struct LedgerQueries: Sendable {
    public let ledger: any LedgerStore
    /// Environment names in promotion order (berth.yaml); others sort after them by name.
    public let environmentOrder: [String]

    public init(ledger: any LedgerStore, environmentOrder: [String]) {
        self.ledger = ledger
        self.environmentOrder = environmentOrder
    }

    /// What each environment of `repository` runs, in promotion order.
    public func status(repository: String) async throws -> [EnvironmentState] {
        try await ledger.status(repository: repository).sorted {
            (environmentOrder.firstIndex(of: $0.environment) ?? .max, $0.environment) < (
                environmentOrder.firstIndex(of: $1.environment) ?? .max, $1.environment
            )
        }
    }

    public func history(_ query: LedgerQuery) async throws -> [LedgerEvent] { try await ledger.events(query) }

    /// `repository` when given, else every repository the ledger knows.
    public func repositories(_ repository: String?) async throws -> [String] {
        if let repository { return [repository] }
        // Access tokens and webhook deliveries live under repositories of their own (`berth:…`), which are no images.
        return try await ledger.repositories().filter { !$0.hasPrefix("berth:") }
    }
}
