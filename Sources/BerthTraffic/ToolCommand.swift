import BerthCore
import BerthProcess
import Foundation

/// Runs a configured argument vector (never a shell): the program is found on PATH, then in the sbin
/// directories where Debian puts nginx and haproxy (a non-root PATH often lacks them).
enum ToolCommand {
    static let extraDirectories = ["/usr/sbin", "/usr/local/sbin", "/sbin"]

    /// The program's path, or nil.
    static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        if let found = ProcessRunner.locate(program) { return found }
        return extraDirectories.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `command`; a program that can't be found or started is a `BerthError` naming `setting`.
    static func run(_ command: [String], setting: String) throws -> ProcessOutput {
        guard let program = command.first, let path = locate(program) else {
            throw BerthError(
                .failure,
                "can't find '\(command.first ?? "")' (\(setting)) on PATH or in /usr/sbin: install it or give its full path in \(setting)"
            )
        }
        do { return try ProcessRunner.run(path, Array(command.dropFirst())) } catch {
            throw BerthError(.failure, "can't run '\(path)' (\(setting)): \(error)")
        }
    }

    /// The line of a tool's output that says what went wrong: nginx's `[emerg]`, else the first line of
    /// stderr, else of stdout; control characters dropped and the length bounded.
    static func oneLine(_ output: ProcessOutput) -> String {
        let lines = (output.stderrText + "\n" + output.stdoutText).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let line =
            lines.first { $0.contains("[emerg]") || $0.contains("[alert]") || $0.contains("[crit]") }
            ?? lines.first ?? "exit status \(output.status), no output"
        return bounded(line)
    }

    /// Control characters replaced, at most 300 characters: text from outside, safe for one line.
    static func bounded(_ text: String) -> String {
        let clean = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? " " : $0 }))
        return clean.count > 300 ? String(clean.prefix(300)) + "…" : clean
    }
}
