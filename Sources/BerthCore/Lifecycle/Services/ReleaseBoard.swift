import BerthOCI

/// The release board: one row per repository, one cell per environment in promotion order, each with
/// what runs there and what the ledger says about that digest (gate, approvals, bad marks).
public struct ReleaseBoard: Hashable, Sendable {
    /// What one environment of one repository runs.
    public struct Cell: Hashable, Sendable {
        public var environment: String
        /// The last promotion, deployment or rollback into it; nil when nothing was.
        public var state: EnvironmentState?
        /// The newest gate decision about the digest that applies to the environment.
        public var gate: GateRecord?
        /// Approvals of the digest for the environment that still hold.
        public var approvals: [ApprovalRecord]
        /// Bad marks of the digest in the environment.
        public var badMarks: [BadMark]
    }

    /// One repository's row.
    public struct Row: Hashable, Sendable {
        public var repository: String
        public var cells: [Cell]
    }

    /// The columns, in promotion order (berth.yaml's), then any other environment the ledger names.
    public var environments: [String]
    public var rows: [Row]
    /// When it was read, seconds since the epoch (cells' ages are from it).
    public var time: Double
}

extension LedgerQueries {
    /// The board for `repositories` (nil: every repository the ledger knows) at `now`.
    public func board(repositories names: [String]? = nil, now: Double) async throws -> ReleaseBoard {
        var repositories = names ?? []
        if names == nil { repositories = try await self.repositories(nil) }
        var states: [(String, [EnvironmentState])] = []
        for repository in repositories { states.append((repository, try await status(repository: repository))) }
        let seen = Set(states.flatMap { $0.1.map(\.environment) })
        let columns = environmentOrder + seen.subtracting(environmentOrder).sorted()
        var rows: [ReleaseBoard.Row] = []
        for (repository, running) in states {
            var cells: [ReleaseBoard.Cell] = []
            for environment in columns {
                guard let state = running.first(where: { $0.environment == environment }) else {
                    cells.append(.init(environment: environment, state: nil, gate: nil, approvals: [], badMarks: []))
                    continue
                }
                var facts: [LedgerEvent] = []
                if let digest = state.digest {
                    facts = try await ledger.events(
                        LedgerQuery(repository: repository, digest: digest, kinds: [.gateEvaluated, .approved, .markedBad]))
                }
                cells.append(
                    .init(
                        environment: environment, state: state,
                        gate: facts.lazy.compactMap(GateRecord.init).first { $0.applies(to: environment) },
                        approvals: facts.compactMap(ApprovalRecord.init).filter {
                            $0.environment == environment && $0.holds(at: now)
                        },
                        badMarks: facts.compactMap(BadMark.init).filter { $0.environment == environment }))
            }
            rows.append(.init(repository: repository, cells: cells))
        }
        return ReleaseBoard(environments: columns, rows: rows, time: now)
    }
}
