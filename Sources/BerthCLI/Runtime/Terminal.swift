import Foundation

/// Where output goes: stdout for results, stderr for messages; colour only on a TTY without NO_COLOR.
struct Terminal {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }

    static var useColor: Bool {
        stdoutIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Reads standard input's lines (for `semver validate` and `sort`).
    static func readStandardInputLines() -> [String] {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }
}
