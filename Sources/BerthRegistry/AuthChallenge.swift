/// One `WWW-Authenticate` challenge (RFC 7235): a scheme and its parameters.
public struct AuthChallenge: Sendable, Equatable {
    public let scheme: String
    public let parameters: [String: String]

    /// Parses a header value, which may hold several challenges (`Basic realm="x", Bearer realm="y"`).
    public static func parse(_ header: String) -> [AuthChallenge] {
        var challenges: [AuthChallenge] = []
        var index = header.startIndex
        func skip(_ predicate: (Character) -> Bool) {
            while index < header.endIndex, predicate(header[index]) { index = header.index(after: index) }
        }
        func token() -> String {
            let start = index
            skip { !$0.isWhitespace && $0 != "=" && $0 != "," }
            return String(header[start..<index])
        }
        while index < header.endIndex {
            skip { $0.isWhitespace || $0 == "," }
            let scheme = token()
            guard !scheme.isEmpty else { break }
            var parameters: [String: String] = [:]
            while index < header.endIndex {
                skip { $0.isWhitespace || $0 == "," }
                let save = index
                let name = token()
                skip { $0.isWhitespace }
                guard index < header.endIndex, header[index] == "=" else {
                    index = save  // the next challenge's scheme
                    break
                }
                index = header.index(after: index)
                skip { $0.isWhitespace }
                var value = ""
                if index < header.endIndex, header[index] == "\"" {
                    index = header.index(after: index)
                    while index < header.endIndex, header[index] != "\"" {
                        if header[index] == "\\" { index = header.index(after: index) }
                        if index < header.endIndex { value.append(header[index]); index = header.index(after: index) }
                    }
                    if index < header.endIndex { index = header.index(after: index) }
                } else {
                    value = token()
                }
                parameters[name.lowercased()] = value
            }
            challenges.append(AuthChallenge(scheme: scheme.lowercased(), parameters: parameters))
        }
        return challenges
    }
}
