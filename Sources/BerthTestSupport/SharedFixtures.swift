import Foundation

/// The workplace's shared fixtures (`../shared/fixtures` beside the repository), present in CI but not in
/// a user's fresh clone: tests that read them say plainly when they were skipped.
public enum SharedFixtures {
    /// The fixtures directory, or nil when absent.
    public static func directory(file: String = #filePath) -> String? {
        if let explicit = ProcessInfo.processInfo.environment["BERTH_SHARED_FIXTURES"], !explicit.isEmpty {
            return FileManager.default.fileExists(atPath: explicit) ? explicit : nil
        }
        var url = URL(fileURLWithPath: file)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                let shared = url.deletingLastPathComponent().appendingPathComponent("shared/fixtures").path
                return FileManager.default.fileExists(atPath: shared) ? shared : nil
            }
        }
        return nil
    }

    /// Non-comment, non-empty lines of a fixture file.
    public static func lines(of path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
