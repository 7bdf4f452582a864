import BerthCore
import Yams

/// A YAML node with its file position, read strictly: unknown keys and wrong types are errors that
/// name `file:line:column`.
struct ConfigNode {
    let node: Node
    let file: String
    /// The dotted key path, for messages (`image.templates.release`).
    let path: String

    var position: String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }

    func fail(_ message: String) -> BerthError {
        BerthError(.usage, "\(position): \(message); see docs/configuration.md")
    }

    /// The mapping's entries, after checking every key is one of `known`.
    func mapping(known: [String]) throws -> [String: ConfigNode] {
        guard case .mapping(let mapping) = node else {
            throw fail("'\(path.isEmpty ? "the document" : path)' must be a mapping of keys to values")
        }
        var entries: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let child = ConfigNode(node: value, file: file, path: path.isEmpty ? key : "\(path).\(key)")
            guard known.contains(key) else {
                let keyAt = ConfigNode(node: keyNode, file: file, path: child.path)
                throw keyAt.fail("unknown key '\(child.path)' (known here: \(known.joined(separator: ", ")))")
            }
            guard entries[key] == nil else {
                throw ConfigNode(node: keyNode, file: file, path: child.path).fail("duplicate key '\(child.path)'")
            }
            entries[key] = child
        }
        return entries
    }

    /// A mapping with free keys (such as bump types or channel names).
    func freeMapping() throws -> [(String, ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw fail("'\(path)' must be a mapping") }
        return mapping.map { key, value in
            let name = key.string ?? ""
            return (name, ConfigNode(node: value, file: file, path: "\(path).\(name)"))
        }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw fail("'\(path)' must be a string") }
        return scalar.string
    }

    func bool() throws -> Bool {
        guard case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) else {
            throw fail("'\(path)' must be true or false")
        }
        return value
    }

    func sequence() throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw fail("'\(path)' must be a list") }
        return sequence.enumerated().map { index, item in ConfigNode(node: item, file: file, path: "\(path)[\(index)]") }
    }

    func strings() throws -> [String] { try sequence().map { try $0.string() } }

    /// One string or a list of them, as nodes (for positions), none empty; `what` names an item in errors.
    func stringItems(what: String) throws -> [ConfigNode] {
        let items: [ConfigNode]
        if case .scalar = node { items = [self] } else { items = try sequence() }
        guard !items.isEmpty else { throw fail("'\(path)' is an empty list: give \(what), or leave the key out") }
        for item in items where try item.string().trimmingCharacters(in: .whitespaces).isEmpty {
            throw item.fail("'\(item.path)' is empty: give \(what)")
        }
        return items
    }

    /// A list of strings, or one block string split into lines (metadata-action's own input style).
    func lines() throws -> [String] {
        if case .scalar = node {
            return try string().split(whereSeparator: \.isNewline).map(String.init)
        }
        return try strings()
    }

    /// One of `choices`.
    func choice<T: RawRepresentable>(_ type: T.Type, _ choices: [T]) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw fail("'\(path)' must be one of \(choices.map(\.rawValue).joined(separator: ", ")), found '\(text)'")
        }
        return value
    }
}
