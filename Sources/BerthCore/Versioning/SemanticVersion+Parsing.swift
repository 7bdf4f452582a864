/// Why a string is not a SemVer 2.0.0 version.
public struct SemanticVersionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text that failed to parse.
    public let input: String
    /// What is wrong with it, in a user's words.
    public let reason: String

    public var description: String { "'\(input)' is not a valid SemVer 2.0.0 version: \(reason)" }
}

extension SemanticVersion {
    /// Parses `text` strictly by SemVer 2.0.0 (§2, §9, §10): no prefix, no whitespace, no leading zeros.
    public static func parse(_ text: String) throws(SemanticVersionError) -> SemanticVersion {
        if let release = plainRelease(text) { return release }
        func fail(_ reason: String) -> SemanticVersionError { SemanticVersionError(input: text, reason: reason) }
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            let buildText = rest[rest.index(after: plus)...]
            rest = rest[..<plus]
            build = try identifiers(buildText, kind: "build metadata", onFail: fail)
        }
        var prerelease: [PrereleaseIdentifier] = []
        if let dash = rest.firstIndex(of: "-") {
            let preText = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
            prerelease = try identifiers(preText, kind: "pre-release", onFail: fail).map { id throws(SemanticVersionError) in
                if id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                    guard let number = DecimalNumber(Substring(id)) else {
                        throw fail("numeric pre-release identifier '\(id)' has a leading zero")
                    }
                    return .numeric(number)
                }
                return .alphanumeric(id)
            }
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw fail("expected MAJOR.MINOR.PATCH, found \(parts.count) dot-separated part\(parts.count == 1 ? "" : "s")")
        }
        var numbers: [DecimalNumber] = []
        for (part, name) in zip(parts, ["major", "minor", "patch"]) {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw fail("\(name) '\(part)' is not a non-negative integer")
            }
            guard let number = DecimalNumber(part) else { throw fail("\(name) '\(part)' has a leading zero") }
            numbers.append(number)
        }
        return SemanticVersion(major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease: prerelease, build: build)
    }

    /// The common shape, a valid `MAJOR.MINOR.PATCH` of ASCII digits, read in one pass over the bytes
    /// (a repository has thousands of such tags: scripts/bench-plan.sh); nil for anything else, which
    /// the full parser then reads (and explains when it is invalid).
    static func plainRelease(_ text: String) -> SemanticVersion? {
        let bytes = text.utf8
        var numbers: [DecimalNumber] = []
        numbers.reserveCapacity(3)
        var start = bytes.startIndex
        var index = start
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == UInt8(ascii: ".") {
                // DecimalNumber refuses an empty run and a leading zero.
                guard numbers.count < 3, let number = DecimalNumber(text[start..<index]) else { return nil }
                numbers.append(number)
                if atEnd { break }
                start = bytes.index(after: index)
            } else if bytes[index] < UInt8(ascii: "0") || bytes[index] > UInt8(ascii: "9") {
                return nil
            }
            index = bytes.index(after: index)
        }
        guard numbers.count == 3 else { return nil }
        return SemanticVersion(major: numbers[0], minor: numbers[1], patch: numbers[2])
    }

    /// Parses `text`, or returns nil when it is not valid SemVer 2.0.0.
    public init?(_ text: String) {
        guard let version = try? SemanticVersion.parse(text) else { return nil }
        self = version
    }

    /// Parses `text` after removing `prefix` (such as `v`); nil when the prefix is missing or the rest is invalid.
    public init?(_ text: String, prefix: String) {
        guard text.hasPrefix(prefix) else { return nil }
        self.init(String(text.dropFirst(prefix.count)))
    }

    private static func identifiers(
        _ text: Substring, kind: String, onFail fail: (String) -> SemanticVersionError
    ) throws(SemanticVersionError) -> [String] {
        let ids = text.split(separator: ".", omittingEmptySubsequences: false)
        for id in ids {
            if id.isEmpty { throw fail("\(kind) has an empty identifier") }
            if let bad = id.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
                throw fail("'\(bad)' is not allowed in \(kind) (only [0-9A-Za-z-])")
            }
        }
        return ids.map(String.init)
    }
}
