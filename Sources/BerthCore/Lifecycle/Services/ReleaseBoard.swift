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
        /// What the digest needs to move on to the next environment; nil in the last column or an empty cell.
        public var next: Candidate? = nil
        /// Holds in force on the environment or on the digest it runs.
        public var holds: [Hold] = []
        /// The newest canary in the environment, folded from the ledger; nil when none ran.
        public var canary: CanaryProgress? = nil
    }

    /// The digest of a cell as a candidate for the next environment: the gate decision that applies there
    /// and the approvals for it that still hold.
    public struct Candidate: Hashable, Sendable {
        public var environment: String
        public var gate: GateRecord?
        public var approvals: [ApprovalRecord]
        /// Holds that stop the promotion there: the environment's, and the digest's.
        public var holds: [Hold] = []

        /// Whether the gate there needs an approval that no one has given yet.
        public var awaitsApproval: Bool { gate?.outcome == .needsApproval && approvals.isEmpty }
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
            let holds = Hold.active(try await ledger.events(LedgerQuery(repository: repository, kinds: [.held, .unheld])))
            let canaryEvents = try await ledger.events(LedgerQuery(repository: repository, kinds: LedgerEvent.canaryKinds))
            var cells: [ReleaseBoard.Cell] = []
            for (index, environment) in columns.enumerated() {
                let canary = canaryEvents.first { $0.kind == .canaryStarted && $0.environment == environment }.flatMap {
                    started in CanaryProgress(started: started, events: canaryEvents.filter { $0.environment == environment })
                }
                guard let state = running.first(where: { $0.environment == environment }) else {
                    cells.append(
                        .init(
                            environment: environment, state: nil, gate: nil, approvals: [], badMarks: [],
                            holds: holds.filter { $0.scope == .environment(environment) }, canary: canary))
                    continue
                }
                let digest = state.digest ?? ""
                var facts: [LedgerEvent] = []
                if let digest = state.digest {
                    facts = try await ledger.events(
                        LedgerQuery(repository: repository, digest: digest, kinds: [.gateEvaluated, .approved, .markedBad]))
                }
                let approvals = facts.compactMap(ApprovalRecord.init).filter { $0.holds(at: now) }
                let gates = facts.compactMap(GateRecord.init)
                let following = index + 1 < columns.count ? columns[index + 1] : nil
                cells.append(
                    .init(
                        environment: environment, state: state, gate: gates.first { $0.applies(to: environment) },
                        approvals: approvals.filter { $0.environment == environment },
                        badMarks: facts.compactMap(BadMark.init).filter { $0.environment == environment },
                        next: following.map { next in
                            // An approval answers one gate decision: a newer decision needs a new approval.
                            let gate = gates.first { $0.applies(to: next) }
                            return ReleaseBoard.Candidate(
                                environment: next, gate: gate,
                                approvals: approvals.filter { $0.environment == next && $0.gateEvent == gate?.eventID },
                                holds: holds.filter { $0.blocks(environment: next, digest: digest) })
                        }, holds: holds.filter { $0.blocks(environment: environment, digest: digest) }, canary: canary))
            }
            rows.append(.init(repository: repository, cells: cells))
        }
        return ReleaseBoard(environments: columns, rows: rows, time: now)
    }
}
