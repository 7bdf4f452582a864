import Foundation

/// Finds the built `berth` executable for CLI tests: `BERTH_BINARY`, else next to the test bundle.
public enum BerthBinary {
    public static func path(file: String = #filePath) -> String? {
        if let explicit = ProcessInfo.processInfo.environment["BERTH_BINARY"], !explicit.isEmpty { return explicit }
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDir.appendingPathComponent("berth").path]
        var url = URL(fileURLWithPath: file)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                candidates.append(url.appendingPathComponent(".build/debug/berth").path)
                break
            }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
