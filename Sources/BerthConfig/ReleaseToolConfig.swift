import BerthCore
import BerthOCI
import Foundation
import TOMLKit
import Yams

/// Finds and reads another release tool's configuration for `berth init --from`: files in, values out.
public enum ReleaseToolConfig {
    /// semantic-release's files in the order its cosmiconfig search takes them; the first that has options wins.
    static let semanticReleaseFiles = ["package.json", ".releaserc", ".releaserc.json", ".releaserc.yaml", ".releaserc.yml"]
    /// JavaScript configurations semantic-release would load, which berth doesn't run.
    static let semanticReleaseScripts = [
        ".releaserc.js", ".releaserc.cjs", ".releaserc.mjs", ".releaserc.ts", "release.config.js", "release.config.cjs",
        "release.config.mjs", "release.config.ts",
    ]
    /// commitizen's files in the order it searches them.
    static let commitizenFiles = [".cz.toml", "cz.toml", ".cz.json", "cz.json", ".cz.yaml", "cz.yaml", "pyproject.toml"]

    /// semantic-release's options in `directory` and the file they came from.
    public static func semanticRelease(in directory: String) throws -> (file: String, options: JSONValue) {
        for file in semanticReleaseFiles {
            guard let text = read(directory, file) else { continue }
            let value = try parse(text, file: file, json: file.hasSuffix("json"), yaml: !file.hasSuffix("json"))
            if file == "package.json" {
                guard let release = value["release"] else { continue }
                return ("package.json#release", release)
            }
            return (file, value)
        }
        if let script = semanticReleaseScripts.first(where: { read(directory, $0) != nil }) {
            throw BerthError(
                .usage,
                "'\(script)' is JavaScript, which berth doesn't run: write its options to .releaserc.json (node -e 'console.log(JSON.stringify(require(\"./\(script)\"), null, 2))' > .releaserc.json) and run berth init --from semantic-release again"
            )
        }
        throw BerthError(
            .usage,
            "no semantic-release configuration in '\(directory)' (\(semanticReleaseFiles.map { $0 == "package.json" ? "package.json#release" : $0 }.joined(separator: ", "))); run berth init in the project's root, or use version.preset: semantic-release"
        )
    }

    /// commitizen's settings in `directory` (the `[tool.commitizen]` table) and the file they came from.
    public static func commitizen(in directory: String) throws -> (file: String, settings: JSONValue) {
        for file in commitizenFiles {
            guard let text = read(directory, file) else { continue }
            let value: JSONValue
            if file.hasSuffix(".toml") {
                value = try parseTOML(text, file: file)
                guard let settings = value["tool"]?["commitizen"] else { continue }
                return ("\(file) [tool.commitizen]", settings)
            }
            value = try parse(text, file: file, json: file.hasSuffix("json"), yaml: file.hasSuffix("yaml"))
            guard let settings = value["commitizen"] else { continue }
            return ("\(file) commitizen", settings)
        }
        throw BerthError(
            .usage,
            "no commitizen settings in '\(directory)' ([tool.commitizen] in \(commitizenFiles.joined(separator: ", "))); run berth init in the project's root, or use version.preset: commitizen"
        )
    }

    static func read(_ directory: String, _ file: String) -> String? {
        FileManager.default.contents(atPath: "\(directory)/\(file)").map { String(decoding: $0, as: UTF8.self) }
    }

    /// JSON through JSONDecoder (tabs and all), else YAML (a `.releaserc` may be either).
    static func parse(_ text: String, file: String, json: Bool, yaml: Bool) throws -> JSONValue {
        if json || !yaml, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) { return value }
        if json && !yaml {
            // Let Yams name the line and column of the mistake.
            _ = try parseYAML(text, file: file)
            throw BerthError(.badInput, "\(file): not valid JSON; fix the syntax")
        }
        return try parseYAML(text, file: file)
    }

    static func parseYAML(_ text: String, file: String) throws -> JSONValue {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            return value(of: node)
        } catch let error as YamlError {
            throw BerthError(
                .badInput,
                "\(file): not valid \(file.hasSuffix("json") ? "JSON" : "YAML"): \(ConfigurationLoader.describe(error)); fix the syntax"
            )
        }
    }

    static func value(of node: Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, item) in mapping { members[key.string ?? ""] = value(of: item) }
            return .object(members)
        case .sequence(let sequence): return .array(sequence.map(value(of:)))
        default:
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let number = node.int { return .integer(Int64(number)) }
            if let number = node.float { return .number(number) }
            return .string(node.string ?? "")
        }
    }

    static func parseTOML(_ text: String, file: String) throws -> JSONValue {
        do {
            return value(of: try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw BerthError(
                .badInput,
                "\(file):\(error.source.begin.line):\(error.source.begin.column): not valid TOML: \(error.description); fix the syntax"
            )
        }
    }

    static func value(of item: any TOMLValueConvertible) -> JSONValue {
        switch item.type {
        case .bool: .bool(item.bool ?? false)
        case .int: .integer(Int64(item.int ?? 0))
        case .double: .number(item.double ?? 0)
        case .string: .string(item.string ?? "")
        case .array: .array((item.array ?? TOMLArray()).map(value(of:)))
        case .table:
            .object(Dictionary((item.table ?? TOMLTable()).map { ($0.0, value(of: $0.1)) }, uniquingKeysWith: { $1 }))
        case .date, .time, .dateTime: .string(item.tomlValue.debugDescription)
        }
    }
}
