/// A range of SemVer versions, in npm's range syntax (node-semver "Ranges"): comparator sets joined by
/// `||`, each a list of comparators that must all hold (`>=1.2.0 <2.0.0`), where a comparator is
/// `<`, `<=`, `>`, `>=` or `=` and a version, a bare version (exactly it), `^1.2.3` (up to the next
/// change of the left-most non-zero part), `~1.2.3` (up to the next minor), `1.2.x`, `1.x` or `*`.
/// A missing minor or patch counts as `x`.
///
/// Pre-releases follow node-semver: a pre-release matches only a set with a comparator that names a
/// pre-release of the same `major.minor.patch`, so `>=1.0.0` never picks `2.0.0-rc.1`.
public struct VersionRange: Hashable, Sendable, CustomStringConvertible {
    /// One bound: `version` compared with `operation`.
    struct Comparator: Hashable, Sendable {
        enum Operation: String, Hashable, Sendable {
            case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "="
        }
        let operation: Operation
        let version: SemanticVersion

        func holds(for candidate: SemanticVersion) -> Bool {
            let order = SemanticVersion.precedence(candidate, version)
            switch operation {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            case .equal: return order == 0
            }
        }
    }

    /// The text it was parsed from.
    public let description: String
    let sets: [[Comparator]]

    /// Parses `text`; nil when it isn't a range (the caller names the input in its error).
    public init?(_ text: String) {
        var sets: [[Comparator]] = []
        for alternative in text.components(separatedBy: "||") {
            let words = alternative.split { $0 == " " || $0 == "," }.map(String.init)
            guard !words.isEmpty else { return nil }
            var set: [Comparator] = []
            var index = 0
            while index < words.count {
                var word = words[index]
                // `>= 1.2.0`: an operator on its own takes the next word as its version.
                if ["<", "<=", ">", ">=", "="].contains(word), index + 1 < words.count {
                    index += 1
                    word += words[index]
                }
                guard let comparators = Self.comparators(word) else { return nil }
                set += comparators
                index += 1
            }
            sets.append(set)
        }
        guard !sets.isEmpty else { return nil }
        self.description = text
        self.sets = sets
    }

    /// Whether `version` is in the range.
    public func contains(_ version: SemanticVersion) -> Bool {
        sets.contains { set in
            guard set.allSatisfy({ $0.holds(for: version) }) else { return false }
            guard version.isPrerelease else { return true }
            return set.contains { $0.version.isPrerelease && $0.version.core == version.core }
        }
    }

    /// The comparators one word stands for; nil when it is no comparator.
    static func comparators(_ word: String) -> [Comparator]? {
        if word == "*" || word.lowercased() == "x" { return [] }
        for operation in [Comparator.Operation.lessOrEqual, .greaterOrEqual, .less, .greater, .equal]
        where word.hasPrefix(operation.rawValue) {
            guard let partial = Partial(word.dropFirst(operation.rawValue.count)) else { return nil }
            return partial.bounded(by: operation)
        }
        if let first = word.first, first == "^" || first == "~" {
            guard let partial = Partial(word.dropFirst()), !partial.parts.isEmpty else { return nil }
            let parts = partial.parts
            let upper: (UInt, UInt, UInt)
            if first == "~" {
                upper = parts.count == 1 ? (parts[0] + 1, 0, 0) : (parts[0], parts[1] + 1, 0)
            } else if parts[0] > 0 || parts.count == 1 {
                upper = (parts[0] + 1, 0, 0)
            } else if parts.count == 2 || parts[1] > 0 {
                upper = (0, parts[1] + 1, 0)
            } else {
                upper = (0, 0, parts[2] + 1)
            }
            return [
                Comparator(operation: .greaterOrEqual, version: partial.lowest),
                Comparator(operation: .less, version: SemanticVersion(upper.0, upper.1, upper.2, prerelease: [.numeric(0)])),
            ]
        }
        guard let partial = Partial(Substring(word)) else { return nil }
        return partial.bounded(by: .equal)
    }

    /// A version with parts possibly missing (`1`, `1.2`, `1.2.x`), or a whole one with a pre-release.
    struct Partial {
        /// The given numeric parts, at most three.
        let parts: [UInt]
        /// The whole version when all three parts were given.
        let whole: SemanticVersion?

        init?(_ text: Substring) {
            var text = text
            if text.first == "v" { text = text.dropFirst() }
            if let version = SemanticVersion(String(text)) {
                let numbers = [version.major, version.minor, version.patch].compactMap { UInt($0.description) }
                guard numbers.count == 3 else { return nil }
                whole = version
                parts = numbers
                return
            }
            let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...3).contains(pieces.count) else { return nil }
            var parts: [UInt] = []
            var wildcard = false
            for piece in pieces {
                if ["x", "X", "*"].contains(piece) {
                    wildcard = true
                    continue
                }
                guard !wildcard, let number = UInt(piece), String(number) == piece else { return nil }
                parts.append(number)
            }
            whole = nil
            self.parts = parts
        }

        var lowest: SemanticVersion {
            if let whole { return whole }
            return SemanticVersion(parts.first ?? 0, parts.count > 1 ? parts[1] : 0, parts.count > 2 ? parts[2] : 0)
        }

        /// The version just above every version this partial covers (`1.2` → `1.3.0-0`); nil for `*`.
        var above: SemanticVersion? {
            guard whole == nil, parts.count < 3, !parts.isEmpty else { return nil }
            return parts.count == 1
                ? SemanticVersion(parts[0] + 1, 0, 0, prerelease: [.numeric(0)])
                : SemanticVersion(parts[0], parts[1] + 1, 0, prerelease: [.numeric(0)])
        }

        func bounded(by operation: Comparator.Operation) -> [Comparator] {
            if whole == nil && parts.isEmpty { return [] }
            guard let above else { return [Comparator(operation: operation, version: lowest)] }
            switch operation {
            case .equal:
                return [Comparator(operation: .greaterOrEqual, version: lowest), Comparator(operation: .less, version: above)]
            case .greater: return [Comparator(operation: .greaterOrEqual, version: above)]
            case .lessOrEqual: return [Comparator(operation: .less, version: above)]
            case .less, .greaterOrEqual: return [Comparator(operation: operation, version: lowest)]
            }
        }
    }
}
