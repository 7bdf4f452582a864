/// A Dockerfile read into instructions with their line numbers, keeping the original text so a rewrite
/// (`berth pin`) changes only what it means to.
///
/// Handles comments, blank lines, line continuations with the escape character (`\`, or the one a
/// `# escape=` parser directive sets), and heredoc-free instructions.
public struct Dockerfile: Sendable, Equatable {
    public struct Instruction: Sendable, Equatable {
        /// Upper-cased keyword: FROM, ARG, USER, LABEL, …
        public let keyword: String
        /// Everything after the keyword, continuations joined with a space.
        public let arguments: String
        /// 1-based line where the instruction starts.
        public let line: Int
    }

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
            instructions.append(Instruction(keyword: keyword.uppercased(), arguments: arguments, line: start + 1))
            index += 1
        }
        self.instructions = instructions
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
