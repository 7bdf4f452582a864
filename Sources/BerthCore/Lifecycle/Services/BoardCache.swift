/// The release board, read from the ledger again only when it could have changed.
///
/// The ledger only grows, so its newest event id says whether anything on the board may differ; time
/// changes it too (an approval that expires), so a board is read again once the first such moment has
/// passed. One board read of a team's ledger is hundreds of queries (scripts/bench-serve.sh); a check of
/// the newest id is one at most (`LedgerStore.newestEventID`: none while PostgreSQL's notifications hold).
/// Each server process keeps its own: replicas on one ledger stay right because each compares the newest id
/// on every request. Concurrent requests that find the board stale share one read.
public actor BoardCache {
    let queries: LedgerQueries

    /// Which repositories a board shows: these, or these first and then every other one the ledger knows.
    private enum Rows: Hashable, Sendable {
        case exactly([String])
        case leading([String])
    }

    private struct Entry: Sendable {
        let newest: Int64?
        let rows: Rows
        let board: ReleaseBoard
        /// When a fact the board filters by time (an approval's expiry) next changes; nil: never.
        let changesAt: Double?
        /// Which read made it: a rendering is reused only with the board it was made from.
        let generation: Int

        func answers(newest: Int64?, rows: Rows, now: Double) -> Bool {
            // Read after `self.newest` was: it holds every event up to it, so any id up to it is answered.
            (newest ?? 0) <= (self.newest ?? 0) && rows == self.rows && changesAt.map { now < $0 } ?? true
        }
    }

    private var entry: Entry?
    private var reading: (newest: Int64?, rows: Rows, task: Task<Entry, any Error>)?
    private var generations = 0

    /// The documents made from boards for one key: the newest made (the read and the second it shows), and
    /// the one being made, which requests of its read and second share.
    private struct Renderings {
        var made: (generation: Int, second: Int64, value: any Sendable)?
        var pending: (generation: Int, second: Int64, task: Task<any Sendable, any Error>)?
    }
    private var renderings: [String: Renderings] = [:]

    public init(queries: LedgerQueries) { self.queries = queries }

    /// The board for `repositories` (nil: `leading` first, then every other repository the ledger knows)
    /// as it is at `now`.
    public func board(repositories names: [String]? = nil, leading: [String] = [], now: Double) async throws
        -> ReleaseBoard
    {
        try await current(names.map(Rows.exactly) ?? .leading(leading), now: now).board.at(now)
    }

    /// `render` of the board at `now`, made once per `key` and second while the board stands: a page or
    /// document of it differs only when the board does or a second has passed (ages are whole seconds).
    /// `key` names everything else the rendering depends on (the reader's role, the form's CSRF token…).
    ///
    /// Rendering runs off the actor, so other requests aren't held behind it. While the board stands, the
    /// first request of a new second starts that second's rendering and is answered with the previous
    /// second's, as are requests until it is done: a board whose ages are at most one second behind,
    /// never one that misses an event (a new read starts afresh and is waited for).
    public func rendering<Output: Sendable>(
        _ key: String, repositories: [String]? = nil, leading: [String] = [], now: Double,
        render: @escaping @Sendable (ReleaseBoard) throws -> Output
    ) async throws -> Output {
        let read = try await current(repositories.map(Rows.exactly) ?? .leading(leading), now: now)
        let second = Int64(now.rounded(.down))
        var slot = renderings[key] ?? Renderings()
        let pending = slot.pending.flatMap { $0.generation == read.generation && $0.second >= second ? $0.task : nil }
        if let made = slot.made, made.generation == read.generation, let value = made.value as? Output {
            if made.second >= second { return value }
            if made.second == second - 1 {
                if pending == nil {
                    slot.pending = (read.generation, second, start(key, read, now: now, render: render))
                    renderings[key] = slot
                }
                return value
            }
        }
        let task: Task<any Sendable, any Error>
        if let pending {
            task = pending
        } else {
            task = start(key, read, now: now, render: render)
            slot.pending = (read.generation, second, task)
            // Bounded: a few readers' keys at a time; each new second starts afresh anyway.
            if renderings[key] == nil && renderings.count >= 64 { renderings = [:] }
            renderings[key] = slot
        }
        guard let value = try await task.value as? Output else {
            throw BerthError(.failure, "the board's rendering '\(key)' changed its type; report this as a bug")
        }
        return value
    }

    /// Renders `read`'s board at `now` on a task of its own (the actor goes on serving meanwhile), then
    /// keeps the result for `key` unless a newer read or second got there first.
    private func start<Output: Sendable>(
        _ key: String, _ read: Entry, now: Double, render: @escaping @Sendable (ReleaseBoard) throws -> Output
    ) -> Task<any Sendable, any Error> {
        let board = read.board.at(now)
        let (generation, second) = (read.generation, Int64(now.rounded(.down)))
        return Task {
            do {
                let value: any Sendable = try await Task.detached { try render(board) }.value
                self.finished(key, generation: generation, second: second, value: value)
                return value
            } catch {
                self.finished(key, generation: generation, second: second, value: nil)
                throw error
            }
        }
    }

    private func finished(_ key: String, generation: Int, second: Int64, value: (any Sendable)?) {
        guard var slot = renderings[key] else { return }
        if let pending = slot.pending, pending.generation == generation && pending.second == second { slot.pending = nil }
        if let value, slot.made.map({ ($0.generation, $0.second) < (generation, second) }) ?? true {
            slot.made = (generation, second, value)
        }
        renderings[key] = slot
    }

    private func current(_ rows: Rows, now: Double) async throws -> Entry {
        let newest = try await queries.ledger.newestEventID()
        if let entry, entry.answers(newest: newest, rows: rows, now: now) { return entry }
        if let reading, reading.newest == newest, reading.rows == rows {
            let shared = try await reading.task.value
            if shared.answers(newest: newest, rows: rows, now: now) { return shared }
        }
        generations += 1
        let task = Task { [queries, generation = generations] in
            // The ledger's repositories change only with the ledger: read with the board, not per request.
            let repositories: [String]
            switch rows {
            case .exactly(let names): repositories = names
            case .leading(let first):
                repositories = first + (try await queries.repositories(nil)).filter { !first.contains($0) }
            }
            let board = try await queries.board(repositories: repositories, now: now)
            return Entry(
                newest: newest, rows: rows, board: board, changesAt: board.changesAt(after: now), generation: generation)
        }
        reading = (newest, rows, task)
        defer { if reading?.newest == newest && reading?.rows == rows { reading = nil } }
        let read = try await task.value
        // A slower read of an older ledger never replaces a newer board.
        if entry.map({ ($0.newest ?? 0) <= (newest ?? 0) }) ?? true { entry = read }
        return read
    }
}

extension ReleaseBoard {
    /// The same board, its cells' ages counted from `now`.
    func at(_ now: Double) -> ReleaseBoard {
        var board = self
        board.time = now
        return board
    }

    /// The first moment after `now` at which an approval on the board stops holding; nil when none will.
    func changesAt(after now: Double) -> Double? {
        rows.flatMap(\.cells).flatMap { $0.approvals + ($0.next?.approvals ?? []) }.compactMap(\.expires).filter { $0 >= now }
            .min()
    }
}
