/// A `{{helper 'arg' key='value'}}` expression inside a template, Handlebars-style.
public struct TemplateExpression: Sendable, Equatable {
    public let name: String
    /// Positional string arguments.
    public let arguments: [String]
    /// `key='value'` hash arguments.
    public let options: [String: String]
    /// Positions of arguments written without quotes (`{{date YYYY}}`): Handlebars reads those as names to
    /// look up, not as text.
    public var unquotedArguments: Set<Int> = []
}

/// A template error that names the template and the problem.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public let template: String
    public let reason: String
    public var description: String { "template '\(template)': \(reason)" }
}

/// Renders the small subset of Handlebars that docker/metadata-action and berth's tag templates use:
/// `{{name}}`, `{{helper 'a' k='v'}}` and `{{{name}}}`. Double-stash output is HTML-escaped as
/// Handlebars does, so tags match the action's byte for byte.
public enum TemplateRenderer {
    /// Renders `template`, asking `resolve` for each expression's value. `resolve` returns nil for an
    /// unknown name: empty for a plain `{{name}}` (as Handlebars), an error when it had arguments.
    public static func render(
        _ template: String, escape: Bool = true,
        resolve: (TemplateExpression) throws(TemplateError) -> String?
    ) throws(TemplateError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let triple = rest[open.upperBound...].hasPrefix("{")
            let bodyStart = triple ? rest.index(after: open.upperBound) : open.upperBound
            let closing = triple ? "}}}" : "}}"
            guard let close = rest[bodyStart...].range(of: closing) else {
                throw TemplateError(template: template, reason: "'{{' is not closed")
            }
            let expression = try parse(rest[bodyStart..<close.lowerBound], template: template)
            guard let value = try resolve(expression) else {
                if !expression.arguments.isEmpty || !expression.options.isEmpty {
                    throw TemplateError(template: template, reason: "unknown helper '\(expression.name)'")
                }
                rest = rest[close.upperBound...]
                continue
            }
            output += (escape && !triple) ? htmlEscaped(value) : value
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    /// Whether `template` is exactly one `{{name}}` expression (metadata-action's "raw statement").
    public static func isSingleExpression(_ template: String, named name: String) -> Bool {
        let trimmed = template.utf8
        guard template.hasPrefix("{{"), template.hasSuffix("}}"), trimmed.count > 4 else { return false }
        let body = template.dropFirst(2).dropLast(2)
        guard !body.contains("{"), !body.contains("}") else { return false }
        return (try? parse(body, template: template))?.name == name
            && (try? parse(body, template: template))?.arguments.isEmpty == true
    }

    static func parse(_ body: Substring, template: String) throws(TemplateError) -> TemplateExpression {
        var tokens: [String] = []
        var unquoted: Set<Int> = []
        var options: [String: String] = [:]
        var index = body.startIndex
        func skipSpaces() { while index < body.endIndex, body[index].isWhitespace { index = body.index(after: index) } }
        func quoted() throws(TemplateError) -> String {
            let quote = body[index]
            index = body.index(after: index)
            guard let end = body[index...].firstIndex(of: quote) else {
                throw TemplateError(template: template, reason: "a quoted argument is not closed")
            }
            defer { index = body.index(after: end) }
            return String(body[index..<end])
        }
        skipSpaces()
        while index < body.endIndex {
            if body[index] == "'" || body[index] == "\"" {
                tokens.append(try quoted())
            } else {
                let start = index
                while index < body.endIndex, !body[index].isWhitespace, body[index] != "=" { index = body.index(after: index) }
                let word = String(body[start..<index])
                if index < body.endIndex, body[index] == "=" {
                    index = body.index(after: index)
                    guard index < body.endIndex else {
                        throw TemplateError(template: template, reason: "'\(word)=' has no value")
                    }
                    if body[index] == "'" || body[index] == "\"" {
                        options[word] = try quoted()
                    } else {
                        let valueStart = index
                        while index < body.endIndex, !body[index].isWhitespace { index = body.index(after: index) }
                        options[word] = String(body[valueStart..<index])
                    }
                } else {
                    if !tokens.isEmpty { unquoted.insert(tokens.count - 1) }
                    tokens.append(word)
                }
            }
            skipSpaces()
        }
        guard let name = tokens.first, !name.isEmpty else {
            throw TemplateError(template: template, reason: "an empty '{{}}' expression")
        }
        return TemplateExpression(
            name: name, arguments: Array(tokens.dropFirst()), options: options, unquotedArguments: unquoted)
    }

    /// Handlebars' escapeExpression: & < > " ' ` =.
    static func htmlEscaped(_ value: String) -> String {
        guard value.contains(where: { "&<>\"'`=".contains($0) }) else { return value }
        var out = ""
        for ch in value {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#x27;"
            case "`": out += "&#x60;"
            case "=": out += "&#x3D;"
            default: out.append(ch)
            }
        }
        return out
    }
}
