import Foundation

/// Rewrites the image of a deploy manifest to `repo:tag@digest`, changing only the lines that name it
/// and keeping everything else (comments, order, indentation) byte for byte. Line-based on purpose: a
/// YAML library would re-emit the whole file.
public enum DeployManifestEditor {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notFound(String)
        public var description: String {
            switch self {
            case .notFound(let what): what
            }
        }
    }

    /// A kustomization.yaml: the `images:` entry whose `name` is `repository` gets `newTag: TAG` and
    /// `digest: DIGEST` (added after `name` when absent).
    public static func kustomization(_ text: String, repository: String, tag: String, digest: String) throws(Problem) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let imagesLine = lines.firstIndex(where: { $0.hasPrefix("images:") }) else {
            throw .notFound("no top-level 'images:' list: add an entry with name: \(repository)")
        }
        var index = imagesLine + 1
        while index < lines.count {
            let line = lines[index]
            if !line.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("-"), !line.hasPrefix("#") { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "- name: \(repository)" || trimmed == "- name: \"\(repository)\"" {
                let itemIndent = String(line.prefix { $0 == " " }) + "  "
                var end = index + 1
                var fields: [String: Int] = [:]
                while end < lines.count {
                    let next = lines[end]
                    let nextTrimmed = next.trimmingCharacters(in: .whitespaces)
                    guard next.hasPrefix(itemIndent), !nextTrimmed.hasPrefix("-") else { break }
                    if let key = nextTrimmed.split(separator: ":").first { fields[String(key)] = end }
                    end += 1
                }
                for (key, value) in [("newTag", tag), ("digest", digest)] {
                    if let at = fields[key] {
                        lines[at] = "\(itemIndent)\(key): \(value)" + trailingComment(lines[at])
                    } else {
                        lines.insert("\(itemIndent)\(key): \(value)", at: index + 1)
                        fields = fields.mapValues { $0 > index ? $0 + 1 : $0 }
                    }
                }
                return lines.joined(separator: "\n")
            }
            index += 1
        }
        throw .notFound("no images: entry with name: \(repository): add one")
    }

    /// A Deployment (or any manifest): every `image: REPOSITORY[:tag][@digest]` line gets the new reference.
    public static func containerImage(_ text: String, repository: String, tag: String, digest: String) throws(Problem) -> String {
        var found = false
        let lines = text.components(separatedBy: "\n").map { line -> String in
            guard let range = line.range(of: "image: ") else { return line }
            let value = line[range.upperBound...].dropLast(trailingComment(line).count)
                .trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
            let name = value.split(separator: "@").first.map(String.init) ?? value
            let bare =
                name.lastIndex(of: ":").map { colon in name[colon...].contains("/") ? name : String(name[..<colon]) } ?? name
            guard bare == repository else { return line }
            found = true
            return line[..<range.upperBound] + "\(repository):\(tag)@\(digest)" + trailingComment(line)
        }
        guard found else { throw .notFound("no 'image: \(repository)…' line") }
        return lines.joined(separator: "\n")
    }

    /// A Helm values file: the value at the dotted `key` (`image.tag`) becomes `TAG@DIGEST`.
    public static func helmValue(_ text: String, key: String, tag: String, digest: String) throws(Problem) -> String {
        var lines = text.components(separatedBy: "\n")
        let path = key.split(separator: ".").map(String.init)
        var depth = 0
        var indent = ""
        for index in lines.indices {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), line.hasPrefix(indent) else { continue }
            let lineIndent = String(line.prefix { $0 == " " })
            if depth > 0 && lineIndent.count < indent.count { break }
            guard lineIndent == indent || (depth == 0 && lineIndent.isEmpty), trimmed.hasPrefix("\(path[depth]):") else {
                continue
            }
            if depth == path.count - 1 {
                lines[index] = "\(lineIndent)\(path[depth]): \"\(tag)@\(digest)\"" + trailingComment(line)
                return lines.joined(separator: "\n")
            }
            depth += 1
            indent = lineIndent + "  "
        }
        throw .notFound("no key '\(key)' in the values file")
    }

    /// The ` # comment` ending `line`, with the spaces before it ("" when none): YAML starts a comment
    /// at a `#` after whitespace, outside quotes.
    public static func trailingComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " || previous == "\t", index != line.startIndex {
                let start = line[..<index].lastIndex { $0 != " " && $0 != "\t" }.map { line.index(after: $0) } ?? index
                // A whole-line comment isn't trailing.
                return line[..<start].allSatisfy({ $0 == " " || $0 == "-" }) ? "" : String(line[start...])
            }
            previous = character
        }
        return ""
    }
}
