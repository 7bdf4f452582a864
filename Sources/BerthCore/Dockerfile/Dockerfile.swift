/// A Dockerfile read into instructions with their line numbers, keeping the original text so a rewrite
/// (`berth pin`) changes only what it means to.
///
/// Handles comments, blank lines, line continuations with the escape character (`\`, or the one a
/// `# escape=` parser directive sets), and BuildKit heredocs (`RUN <<EOF` … `EOF`, `<<-EOF`, `<<"EOF"`,
/// several on one line, `COPY <<EOF /file`): their bodies belong to the instruction, never read as
/// instructions themselves.
public struct Dockerfile: Sendable, Equatable {
    public struct Instruction: Sendable, Equatable {
        /// Upper-cased keyword: FROM, ARG, USER, LABEL, …
        public let keyword: String
        /// Everything after the keyword, continuations joined with a space (heredoc markers kept, bodies not).
        public let arguments: String
        /// 1-based line where the instruction starts.
        public let line: Int
        /// The heredocs a RUN, COPY or ADD opens, in the order their markers appear.
        public let heredocs: [Heredoc]
    }

    /// A heredoc's body: the lines after its instruction up to the line that is exactly its name.
    public struct Heredoc: Sendable, Equatable {
        /// The delimiter, without the quotes or `-` of its marker.
        public let name: String
        /// `<<-NAME`: the closing line may be indented with tabs (and the body's leading tabs are dropped).
        public let stripsTabs: Bool
        /// `<<"NAME"` or `<<'NAME'`: the body is taken literally, without variable expansion.
        public let quoted: Bool
        /// The body lines as written, without the closing line.
        public let body: [String]
        /// 1-based line of the first body line.
        public let line: Int
    }

    /// Instructions whose arguments may open heredocs, as BuildKit reads them.
    static let heredocKeywords: Set<String> = ["RUN", "COPY", "ADD"]

    public let lines: [String]
    public let instructions: [Instruction]

    /// Parses `text`; throws a bad-input error naming the line for an instruction it can't read.
    public init(parsing text: String, file: String = "Dockerfile") throws(BerthError) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
        var escape: Character = "\\"
        var instructions: [Instruction] = []
        var index = 0
        var directivesAllowed = true
        while index < lines.count {
            let raw = lines[index]
            let trimmed = raw.trimmingCharacters()
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                if directivesAllowed, trimmed.hasPrefix("#"), let directive = Self.directive(trimmed), directive.0 == "escape" {
                    guard directive.1 == "`" || directive.1 == "\\" else {
                        throw BerthError(
                            .badInput, "\(file):\(index + 1): escape directive must be \\ or `, not '\(directive.1)'")
                    }
                    escape = directive.1.first!
                }
                if !trimmed.hasPrefix("#") { directivesAllowed = false }
                index += 1
                continue
            }
            directivesAllowed = false
            let start = index
            var text = trimmed
            while text.last == escape {
                text.removeLast()
                while text.last?.isWhitespace == true { text.removeLast() }
                index += 1
                // Comment lines inside a continuation are skipped, as BuildKit does.
                while index < lines.count, lines[index].trimmingCharacters().hasPrefix("#") { index += 1 }
                guard index < lines.count else { break }
                text += " " + lines[index].trimmingCharacters()
            }
            let keyword = String(text.prefix { !$0.isWhitespace })
            guard keyword.allSatisfy({ $0.isLetter }) else {
                throw BerthError(.badInput, "\(file):\(start + 1): '\(keyword)' is not a Dockerfile instruction; fix the line")
            }
            let arguments = String(text.dropFirst(keyword.count)).trimmingCharacters()
            index += 1
            // Each body follows the instruction's last line, one after another, closed by its name alone on a line.
            var heredocs: [Heredoc] = []
            let markers =
                Self.heredocKeywords.contains(keyword.uppercased()) ? Self.heredocMarkers(arguments, escape: escape) : []
            for marker in markers {
                let first = index
                while index < lines.count {
                    let candidate = marker.stripsTabs ? String(lines[index].drop { $0 == "\t" }) : lines[index]
                    if candidate == marker.name { break }
                    index += 1
                }
                guard index < lines.count else {
                    throw BerthError(
                        .badInput,
                        "\(file):\(start + 1): the heredoc '<<\(marker.stripsTabs ? "-" : "")\(marker.name)' is never closed; "
                            + "end its body with a line that is exactly '\(marker.name)'")
                }
                heredocs.append(
                    Heredoc(
                        name: marker.name, stripsTabs: marker.stripsTabs, quoted: marker.quoted,
                        body: Array(lines[first..<index]), line: first + 1))
                index += 1
            }
            instructions.append(
                Instruction(keyword: keyword.uppercased(), arguments: arguments, line: start + 1, heredocs: heredocs))
        }
        self.instructions = instructions
    }

    /// The heredocs `arguments` opens, as BuildKit finds them: a word (quotes and escapes kept together)
    /// that is `<<NAME`, `<<-NAME`, `<<"NAME"` or `<<'NAME'`, optionally after a file descriptor number
    /// (`3<<EOF`). A marker inside quotes (`echo "<<EOF"`) or a here-string (`<<<word`) opens none.
    static func heredocMarkers(_ arguments: String, escape: Character) -> [(name: String, stripsTabs: Bool, quoted: Bool)] {
        var words: [String] = []
        var word = ""
        var quote: Character?
        var escaped = false
        for character in arguments {
            if escaped {
                word.append(character)
                escaped = false
            } else if character == escape && quote != "'" {
                word.append(character)
                escaped = true
            } else if let open = quote {
                word.append(character)
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                word.append(character)
                quote = character
            } else if character.isWhitespace {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.compactMap { word in
            var rest = Substring(word).drop { $0.isASCII && $0.isNumber }
            guard rest.hasPrefix("<<") else { return nil }
            rest = rest.dropFirst(2)
            let stripsTabs = rest.first == "-"
            if stripsTabs { rest = rest.dropFirst() }
            guard !rest.contains("<") else { return nil }
            let name = String(rest.filter { $0 != "\"" && $0 != "'" })
            guard !name.isEmpty else { return nil }
            return (name, stripsTabs, name.count != rest.count)
        }
    }

    static func directive(_ comment: String) -> (String, String)? {
        let body = comment.dropFirst().trimmingSpaces()
        guard let eq = body.firstIndex(of: "=") else { return nil }
        let key = body[..<eq].trimmingSpaces().lowercased()
        guard key.allSatisfy({ $0.isLetter }) else { return nil }
        return (key, String(body[body.index(after: eq)...].trimmingSpaces()))
    }

    /// The stages: each FROM with its image, optional platform flag and name.
    public var stages: [Stage] {
        instructions.enumerated().compactMap { offset, instruction in
            guard instruction.keyword == "FROM" else { return nil }
            return Stage(instruction: instruction, index: offset)
        }
    }

    /// A FROM instruction read into its parts.
    public struct Stage: Sendable, Equatable {
        public let line: Int
        public let image: String
        public let name: String?
        public let flags: [String]
        /// Position of the FROM among all instructions.
        public let index: Int

        init?(instruction: Instruction, index: Int) {
            var words = instruction.arguments.split(whereSeparator: \.isWhitespace).map(String.init)
            var flags: [String] = []
            while let first = words.first, first.hasPrefix("--") { flags.append(words.removeFirst()) }
            guard let image = words.first else { return nil }
            self.line = instruction.line
            self.image = image
            self.flags = flags
            self.index = index
            name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
        }
    }
}
