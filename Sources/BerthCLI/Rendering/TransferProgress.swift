import BerthCore
import BerthOCI
import Foundation

/// Progress of a copy on stderr, one line per blob, and a summary.
final class TransferProgress: @unchecked Sendable {
    let quiet: Bool
    private let lock = NSLock()
    private var copied = 0
    private var mounted = 0
    private var present = 0
    private var bytes: Int64 = 0

    init(quiet: Bool) { self.quiet = quiet }

    func report(_ event: TransferEvent) {
        lock.withLock {
            switch event {
            case .blobCopied(let digest, let size):
                copied += 1
                bytes += size
                if !quiet { Terminal.writeError("copied  \(digest.short) \(Self.format(size))\n") }
            case .blobMounted(let digest):
                mounted += 1
                if !quiet { Terminal.writeError("mounted \(digest.short)\n") }
            case .blobPresent:
                present += 1
            case .manifestPushed(let digest, let reference):
                if !quiet && Digest(reference) == nil { Terminal.writeError("tagged  \(reference) → \(digest.short)\n") }
            }
        }
    }

    func summary(_ digest: Digest) -> String {
        lock.withLock {
            "\(digest.short): \(copied) blob\(copied == 1 ? "" : "s") copied (\(Self.format(bytes))), \(mounted) mounted, \(present) already there\n"
        }
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
