import Foundation

/// Named points between the steps of a multi-step command where a test can make berth die as if
/// killed (`BERTH_CRASH_AT=release.git-tagged`): the only way to prove, deterministically, that a re-run
/// after a crash at any step converges. Unset in normal use; reaching an unnamed point costs one lookup.
enum CrashPoint {
    static func reached(_ name: String) {
        guard Environment.variables["BERTH_CRASH_AT"] == name else { return }
        FileHandle.standardError.write(Data("berth: crashing at \(name) (BERTH_CRASH_AT)\n".utf8))
        // _exit: no atexit handlers, no flushing, no cleanup — what a SIGKILL leaves behind.
        _exit(137)
    }
}
