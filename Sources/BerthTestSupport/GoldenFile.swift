import Foundation

/// Compares rendered output with a golden file next to the test. With `BERTH_RECORD_GOLDEN=1` it writes
/// the file instead and reports a failure, so a recording run can never pass by accident.
public enum GoldenFile {
    public enum Outcome: Equatable, Sendable {
        case matches
        case differs(expected: String)
        case recorded(path: String)
        case missing(path: String)
    }

    /// `directory` is the folder of golden files (usually `<test dir>/Golden`), `name` the file in it.
    public static func compare(_ actual: String, directory: String, name: String) -> Outcome {
        let path = "\(directory)/\(name)"
        if ProcessInfo.processInfo.environment["BERTH_RECORD_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? Data(actual.utf8).write(to: URL(fileURLWithPath: path))
            return .recorded(path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else { return .missing(path: path) }
        let expected = String(decoding: data, as: UTF8.self)
        return expected == actual ? .matches : .differs(expected: expected)
    }
}
