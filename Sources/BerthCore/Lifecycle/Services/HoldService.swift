import BerthOCI

/// What `berth hold` and `berth unhold` (and the board) are asked: hold or release an environment of
/// `repository`, or a version of it (its digest, as the ledger recorded it).
public struct HoldRequest: Sendable {
    public var repository: String
    /// The environment to hold; exactly one of it and `version`.
    public var environment: String?
    /// The version to hold (its digest is held).
    public var version: String?
    public var reason: String

    public init(repository: String, environment: String? = nil, version: String? = nil, reason: String) {
        self.repository = repository
        self.environment = environment
        self.version = version
        self.reason = reason
    }
}

/// What a hold or a release did.
public enum HoldOutcome: Sendable, Equatable {
    /// Recorded: the hold, with its event id, or the hold released (`unheld`'s id in `eventID`).
    case recorded(Hold)
    /// Nothing to do: the scope was held already (the hold in force), or wasn't held (nil).
    case unchanged(Hold?)
}

/// Holds and releases environments and versions: each a `held`/`unheld` event with the actor and the
/// reason, exactly once from the scope's newest hold or release (of racing runs one records, the others
/// find it done). `PromotionService` refuses a promotion a hold stops (`check`), for the CLI and the
/// server alike.
public struct HoldService: Sendable {
    public let dependencies: LifecycleDependencies
    /// Environments in promotion order (berth.yaml); an environment hold names one of them. Empty: any.
    public let environments: [String]

    public init(_ dependencies: LifecycleDependencies, environments: [String] = []) {
        self.dependencies = dependencies
        self.environments = environments
    }

    /// The holds in force on `repository`, oldest first.
    public func holds(repository: String) async throws -> [Hold] {
        Hold.active(try await dependencies.ledger.events(LedgerQuery(repository: repository, kinds: [.held, .unheld])))
    }

    /// Holds the request's scope; a scope already held is left as it is.
    public func hold(_ request: HoldRequest) async throws -> HoldOutcome {
        let hold = try await resolve(request)
        let newest = try await newest(hold)
        if let newest, newest.kind == .held, let current = Hold(newest) { return .unchanged(current) }
        return .recorded(try await record(hold, kind: .held, reason: request.reason, after: newest?.id))
    }

    /// Releases the request's scope; a scope that isn't held is left as it is.
    public func release(_ request: HoldRequest) async throws -> HoldOutcome {
        let hold = try await resolve(request)
        guard let newest = try await newest(hold), newest.kind == .held else { return .unchanged(nil) }
        return .recorded(try await record(hold, kind: .unheld, reason: request.reason, after: newest.id))
    }

    /// Throws `.blocked`, naming the hold and how to release it, when one stops promoting `digest` of
    /// `repository` into `environment`.
    public static func check(repository: String, environment: String, digest: String, ledger: any LedgerStore) async throws {
        let holds = Hold.active(try await ledger.events(LedgerQuery(repository: repository, kinds: [.held, .unheld])))
        guard let hold = holds.first(where: { $0.blocks(environment: environment, digest: digest) }) else { return }
        let release: String
        switch hold.scope {
        case .environment(let name): release = "berth unhold --env \(name)"
        case .digest: release = "berth unhold \(hold.version ?? digest)"
        }
        throw BerthError(.blocked, "\(hold.summary); no promotion until it is released: \(release) --reason TEXT")
    }

    private func newest(_ hold: Hold) async throws -> LedgerEvent? {
        Hold.newest(
            try await dependencies.ledger.events(LedgerQuery(repository: hold.repository, kinds: [.held, .unheld]))
        )[hold.scope.key]
    }

    private func record(_ hold: Hold, kind: LedgerEvent.Kind, reason: String, after: Int64?) async throws -> Hold {
        try await dependencies.ledger.checkWritable()
        let event = hold.event(kind: kind, actor: dependencies.actor, time: dependencies.time.now(), reason: reason, after: after)
        do {
            let appended = try await dependencies.ledger.append(event)
            var recorded = hold
            recorded.actor = appended.actor
            recorded.time = appended.time
            recorded.reason = reason
            recorded.eventID = appended.id
            return recorded
        } catch let conflict as LedgerConflict {
            let winner = conflict.existing.map { " (event \($0.id ?? 0) by \($0.actor))" } ?? ""
            throw BerthError(
                .conflict,
                "another run changed the hold on \(hold.repository) \(hold.scope) at the same time\(winner); nothing to do")
        }
    }

    /// The hold the request names, its reason checked.
    private func resolve(_ request: HoldRequest) async throws -> Hold {
        guard !request.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BerthError(.usage, "--reason is empty: say why")
        }
        let reason = try FreeText.validated(request.reason, option: "--reason")
        _ = try dependencies.repository(request.repository)
        switch (request.environment, request.version) {
        case (let environment?, nil):
            guard environments.isEmpty || environments.contains(environment) else {
                throw BerthError(
                    .usage,
                    "no environment '\(environment)' in berth.yaml: use one of \(environments.joined(separator: ", "))")
            }
            return Hold(repository: request.repository, scope: .environment(environment), reason: reason)
        case (nil, let version?):
            _ = try VersionArgument.validated(version)
            let recorded = try await dependencies.ledger.events(
                LedgerQuery(
                    repository: request.repository, version: version,
                    kinds: [.released, .pushed, .built, .promoted, .tagged, .gateEvaluated]))
            guard let text = recorded.first(where: { $0.digest != nil })?.digest, let digest = Digest(text) else {
                throw BerthError(
                    .failure, "\(request.repository) has no version \(version) in the ledger: was it released?")
            }
            return Hold(repository: request.repository, scope: .digest(digest), version: version, reason: reason)
        default:
            throw BerthError(.usage, "hold either an environment (--env NAME) or a version, not both and not neither")
        }
    }
}
