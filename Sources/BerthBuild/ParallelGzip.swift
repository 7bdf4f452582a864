import BerthCore
import Foundation

/// berth's deterministic gzip with the DEFLATE segments compressed on every core. The bytes are the
/// ones `Gzip.compress` writes: segments don't depend on each other's output, only on the input.
public enum ParallelGzip {
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        let ranges = Deflate.segments(count: input.count)
        let parts = SegmentResults(count: ranges.count)
        input.withUnsafeBufferPointer { buffer in
            // Read-only and alive until concurrentPerform returns.
            nonisolated(unsafe) let shared = buffer
            DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
                parts.set(index, Deflate.compressSegment(shared, range: ranges[index], isLast: index == ranges.count - 1))
            }
        }
        var deflated: [UInt8] = []
        deflated.reserveCapacity(parts.total)
        for part in parts.all { deflated += part }
        return Gzip.wrap(deflated: deflated, checksum: CRC32.checksum(input), count: input.count)
    }

    /// Slots written by concurrent segments, each index once.
    private final class SegmentResults: @unchecked Sendable {
        private var slots: [[UInt8]]
        private let lock = NSLock()

        init(count: Int) { slots = Array(repeating: [], count: count) }

        func set(_ index: Int, _ bytes: [UInt8]) {
            lock.lock()
            slots[index] = bytes
            lock.unlock()
        }

        var all: [[UInt8]] { slots }
        var total: Int { slots.reduce(0) { $0 + $1.count } }
    }
}
