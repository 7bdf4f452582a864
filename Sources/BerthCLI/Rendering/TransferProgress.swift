import BerthCore
import BerthOCI
import Foundation

/// Progress of a copy on stderr, one line per blob, and a summary.
final class TransferProgress: Sendable {
    let quiet: Bool
    /// Counts so far; events arrive from concurrent blob transfers, and lines are written under the lock.
    private let counts = Locked(Counts())

    private struct Counts {
        var copied = 0
        var mounted = 0
        var present = 0
        var bytes: Int64 = 0
    }

    init(quiet: Bool) { self.quiet = quiet }

    func report(_ event: TransferEvent) {
        counts.withLock { counts in
            switch event {
            case .blobCopied(let digest, let size):
                counts.copied += 1
                counts.bytes += size
                if !quiet { Terminal.writeError("copied  \(digest.short) \(Self.format(size))\n") }
            case .blobMounted(let digest):
                counts.mounted += 1
                if !quiet { Terminal.writeError("mounted \(digest.short)\n") }
            case .blobPresent:
                counts.present += 1
            case .manifestPushed(let digest, let reference):
                if !quiet && Digest(reference) == nil { Terminal.writeError("tagged  \(reference) → \(digest.short)\n") }
            case .manifestPresent: break
            }
        }
    }

    func summary(_ digest: Digest) -> String {
        let counts = counts.current
        return
            "\(digest.short): \(counts.copied) blob\(counts.copied == 1 ? "" : "s") copied (\(Self.format(counts.bytes))), \(counts.mounted) mounted, \(counts.present) already there\n"
    }

    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
