/// Just enough YAML to read a Kubernetes manifest back: block mappings and sequences, plain and quoted
/// scalars, comments, one document. (BerthTraffic may not import Yams; the manifests it reads are the
/// ones it writes, perhaps edited by hand in the same block style.) Flow collections other than `[]`
/// and `{}`, block scalars, anchors and tags are refused, not guessed.
enum ManifestYAML: Hashable, Sendable {
    case scalar(String)
    case mapping([String: ManifestYAML])
    case sequence([ManifestYAML])

    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let why: String
        var description: String { "line \(line): \(why)" }
    }

    subscript(key: String) -> ManifestYAML? {
        if case .mapping(let entries) = self { return entries[key] }
        return nil
    }

    var string: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }

    var items: [ManifestYAML] {
        if case .sequence(let items) = self { return items }
        return []
    }

    private struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    static func parse(_ text: String) throws -> ManifestYAML {
        var lines: [Line] = []
        var documents = 0
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = stripComment(raw)
            let trimmed = content.drop { $0 == " " }
            if trimmed.isEmpty { continue }
            if raw.hasPrefix("---") {
                documents += 1
                if documents > 1 || !lines.isEmpty { throw Failure(line: offset + 1, why: "more than one document") }
                continue
            }
            if raw.contains("\t") && raw.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw Failure(line: offset + 1, why: "a tab in the indentation")
            }
            lines.append(Line(number: offset + 1, indent: content.count - trimmed.count, text: trimmed))
        }
        guard let first = lines.first else { return .mapping([:]) }
        var index = 0
        let node = try block(&lines, &index, indent: first.indent)
        if index < lines.count { throw Failure(line: lines[index].number, why: "unexpected indentation") }
        return node
    }

    private static func block(_ lines: inout [Line], _ index: inout Int, indent: Int) throws -> ManifestYAML {
        if isItem(lines[index].text) { return try sequence(&lines, &index, indent: indent) }
        return try mapping(&lines, &index, indent: indent)
    }

    private static func isItem(_ text: Substring) -> Bool { text == "-" || text.hasPrefix("- ") }

    private static func sequence(_ lines: inout [Line], _ index: inout Int, indent: Int) throws -> ManifestYAML {
        var items: [ManifestYAML] = []
        while index < lines.count, lines[index].indent == indent, isItem(lines[index].text) {
            let line = lines[index]
            let rest = line.text.dropFirst().drop { $0 == " " }
            if rest.isEmpty {
                index += 1
                guard index < lines.count, lines[index].indent > indent else {
                    items.append(.scalar(""))
                    continue
                }
                items.append(try block(&lines, &index, indent: lines[index].indent))
            } else {
                // "- key: value" opens a mapping (or a nested sequence) at the column of its content.
                let column = indent + (line.text.count - rest.count)
                if isItem(rest) || splitKey(rest) != nil {
                    lines[index] = Line(number: line.number, indent: column, text: rest)
                    items.append(try block(&lines, &index, indent: column))
                } else {
                    items.append(try scalar(rest, line: line.number))
                    index += 1
                }
            }
        }
        return .sequence(items)
    }

    private static func mapping(_ lines: inout [Line], _ index: inout Int, indent: Int) throws -> ManifestYAML {
        var entries: [String: ManifestYAML] = [:]
        while index < lines.count, lines[index].indent == indent, !isItem(lines[index].text) {
            let line = lines[index]
            guard let (key, value) = splitKey(line.text) else {
                throw Failure(line: line.number, why: "expected 'key: value'")
            }
            guard entries[key] == nil else { throw Failure(line: line.number, why: "duplicate key '\(key)'") }
            index += 1
            if !value.isEmpty {
                entries[key] = try scalar(value, line: line.number)
            } else if index < lines.count,
                lines[index].indent > indent
                    || (lines[index].indent == indent && isItem(lines[index].text))
            {
                entries[key] = try block(&lines, &index, indent: lines[index].indent)
            } else {
                entries[key] = .scalar("")
            }
        }
        if index < lines.count, lines[index].indent > indent {
            throw Failure(line: lines[index].number, why: "unexpected indentation")
        }
        return .mapping(entries)
    }

    /// `key: value` (value possibly empty), the key unquoted; nil when the line isn't one.
    private static func splitKey(_ text: Substring) -> (String, Substring)? {
        var key: String
        var rest: Substring
        if let quote = text.first, quote == "\"" || quote == "'" {
            guard let close = text.dropFirst().firstIndex(of: quote) else { return nil }
            key = String(text[text.index(after: text.startIndex)..<close])
            rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
        } else {
            guard
                let colon = text.indices.first(where: { index in
                    text[index] == ":" && (text.index(after: index) == text.endIndex || text[text.index(after: index)] == " ")
                })
            else { return nil }
            key = String(text[..<colon])
            rest = text[colon...]
        }
        key = key.trimmingSpaces()
        return (key, rest.dropFirst().drop { $0 == " " })
    }

    private static func scalar(_ text: Substring, line: Int) throws -> ManifestYAML {
        let text = Substring(String(text).trimmingSpaces())
        if text == "[]" { return .sequence([]) }
        if text == "{}" { return .mapping([:]) }
        if let first = text.first, "[{|>&*!".contains(first) {
            throw Failure(line: line, why: "'\(first)' (flow collections, block scalars, anchors, tags) isn't read here")
        }
        if text.first == "\"" {
            guard text.count >= 2, text.last == "\"" else { throw Failure(line: line, why: "an unclosed quote") }
            var value = ""
            var escaped = false
            for character in text.dropFirst().dropLast() {
                if escaped {
                    value.append(character == "n" ? "\n" : character == "t" ? "\t" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    value.append(character)
                }
            }
            return .scalar(value)
        }
        if text.first == "'" {
            guard text.count >= 2, text.last == "'" else { throw Failure(line: line, why: "an unclosed quote") }
            return .scalar(String(text.dropFirst().dropLast()).replacingAll("''", with: "'"))
        }
        return .scalar(String(text))
    }

    /// The line without a `#` comment (one that starts the line or follows a space, outside quotes).
    private static func stripComment(_ line: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                if previous == " " || previous == ":" || previous == "-" { quote = character }
            } else if character == "#" && previous == " " {
                return line[..<index]
            }
            previous = character
        }
        return line
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }

    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
