import Foundation

/// HEAD's history read from the moment a version decision starts, before the tags say which release it
/// counts from: on a busy branch the commits since that release are most of a plan's time, and waiting for
/// the tags first put the tags' read and the log one after the other (scripts/bench-plan.sh).
///
/// Only a straight chain can be used: when every commit above the release has exactly one parent, the
/// commits walked before it are exactly `release..HEAD`. The walk stops at the first merge, root or shallow
/// edge (past it, git's order no longer says what `release..HEAD` holds), when the release is reached, or
/// when the caller gives up on it; then the caller reads `release..HEAD` the ordinary way.
final class HeadHistoryPrefetch: @unchecked Sendable {
    /// What the walk knows about one release commit, without waiting.
    enum Lookup {
        /// The commits above it, newest first.
        case found([ParsedCommit])
        /// Not reached yet; the walk goes on.
        case pending
        /// The walk ended without reaching it along a straight chain.
        case unusable
    }

    private let condition = NSCondition()
    /// Newest first; every one but the last has exactly one parent (a commit without ends the walk).
    private var commits: [ParsedCommit] = []
    private var ended = false
    /// The release commit to stop at, once the tags have named it, and where it is in `commits`.
    private var target: String?
    private var targetIndex: Int?
    private var cancelled = false

    /// Starts walking `git`'s history from HEAD on a thread of its own.
    static func start(_ git: any GitHistory) -> HeadHistoryPrefetch {
        let prefetch = HeadHistoryPrefetch()
        Thread {
            // A failed walk (no commit yet, git gone) only means the ordinary reads run; they report it.
            try? git.walkFromHead { commit, parents in prefetch.offer(ParsedCommit(commit), parents: parents) }
            prefetch.end()
        }.start()
        return prefetch
    }

    /// Takes one walked commit; false ends the walk.
    private func offer(_ commit: ParsedCommit, parents: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled, targetIndex == nil else { return false }
        commits.append(commit)
        if commit.commit.sha == target {
            targetIndex = commits.count - 1
            condition.broadcast()
            return false
        }
        return parents == 1
    }

    private func end() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// What the walk has of `release` above `head` now: found, still pending, or unusable (HEAD moved
    /// between the reads, or the chain ended without it). Names `release` as the commit to stop at.
    func lookup(release: String, head: String) -> Lookup {
        condition.lock()
        defer { condition.unlock() }
        if let first = commits.first, first.commit.sha != head { return .unusable }
        if target != release {
            target = release
            targetIndex = commits.firstIndex { $0.commit.sha == release }
            if targetIndex != nil { condition.broadcast() }
        }
        if let targetIndex { return .found(Array(commits[..<targetIndex])) }
        return ended ? .unusable : .pending
    }

    /// Waits until the walk reaches `release` or ends; nil when it can't say what `release..head` holds.
    func commits(since release: String, head: String) -> [ParsedCommit]? {
        switch lookup(release: release, head: head) {
        case .found(let since): return since
        case .unusable: return nil
        case .pending: break
        }
        condition.lock()
        while targetIndex == nil && !ended && !cancelled { condition.wait() }
        condition.unlock()
        if case .found(let since) = lookup(release: release, head: head) { return since }
        return nil
    }

    /// Ends the walk at its next commit and wakes a waiting `commits(since:head:)`, which then answers nil
    /// unless the release was already reached.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Cancels the walk and waits for its git process to be gone.
    func finish() {
        cancel()
        condition.lock()
        while !ended { condition.wait() }
        condition.unlock()
    }
}
