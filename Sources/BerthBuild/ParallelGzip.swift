import BerthCore
import Foundation

/// berth's deterministic gzip with the DEFLATE segments compressed on every core. The bytes are the
/// ones `Gzip.compress` writes: segments don't depend on each other's output, only on the input.
public enum ParallelGzip {
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        let ranges = Deflate.segments(count: input.count)
        // Slots written by concurrent segments, each index once.
        let parts = Locked([[UInt8]](repeating: [], count: ranges.count))
        input.withUnsafeBufferPointer { buffer in
            // Read-only and alive until concurrentPerform returns.
            nonisolated(unsafe) let shared = buffer
            DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
                let part = Deflate.compressSegment(shared, range: ranges[index], isLast: index == ranges.count - 1)
                parts.withLock { $0[index] = part }
            }
        }
        let all = parts.current
        var deflated: [UInt8] = []
        deflated.reserveCapacity(all.reduce(0) { $0 + $1.count })
        for part in all { deflated += part }
        return Gzip.wrap(deflated: deflated, checksum: CRC32.checksum(input), count: input.count)
    }
}
