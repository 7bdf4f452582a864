import BerthCore
import Foundation
import NIOCore

/// When bytes last moved in an exchange: sent (a request body piece taken by the connection) or received
/// (the response head, a body piece). A watchdog compares it with a no-progress limit.
final class ProgressClock: Sendable {
    private let last = Locked(ContinuousClock.now)

    func touch() { last.withLock { $0 = .now } }

    var lastProgress: ContinuousClock.Instant { last.current }
}

/// Runs `operation`, and fails it with a `.timedOut` transport error when `progress` stands still for
/// `limit`: the operation is cancelled, which makes AsyncHTTPClient drop the connection.
func withProgressTimeout<T: Sendable>(
    _ limit: Duration, progress: ProgressClock, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            while true {
                let deadline = progress.lastProgress + limit
                if ContinuousClock.now >= deadline { return nil }
                try await Task.sleep(until: deadline, clock: .continuous)
            }
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TransportError("no answer within \(RegistryTimeouts.words(limit))", kind: .timedOut)
        }
        return value
    }
}

/// A request body handed to the connection in 64 KiB pieces, each taken piece counting as progress; so
/// a registry that stops reading an upload is noticed while one that reads slowly is not cut.
struct ProgressBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let data: Data
    let progress: ProgressClock

    struct AsyncIterator: AsyncIteratorProtocol {
        let data: Data
        let progress: ProgressClock
        var offset: Int

        mutating func next() async throws -> ByteBuffer? {
            guard offset < data.count else { return nil }
            progress.touch()
            let end = Swift.min(offset + 64 * 1024, data.count)
            defer { offset = end }
            return ByteBuffer(bytes: data[(data.startIndex + offset)..<(data.startIndex + end)])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(data: data, progress: progress, offset: 0) }
}

/// A streamed request body: each chunk `next` hands over goes out as it comes, and asking for the next one
/// (the connection took the last) and receiving it both count as progress, so neither a slow source nor a
/// slow registry is cut while bytes move. An error `next` throws is kept in `failure` for the caller,
/// which AsyncHTTPClient would otherwise report as a failed connection.
struct StreamedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let source: BodyChunks
    let progress: ProgressClock
    let failure: Locked<(any Error)?>

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: BodyChunks
        let progress: ProgressClock
        let failure: Locked<(any Error)?>

        mutating func next() async throws -> ByteBuffer? {
            progress.touch()
            do {
                while let chunk = try await source() {
                    progress.touch()
                    if !chunk.isEmpty { return ByteBuffer(bytes: chunk) }
                }
                return nil
            } catch {
                failure.withLock { $0 = $0 ?? error }
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source, progress: progress, failure: failure) }
}
