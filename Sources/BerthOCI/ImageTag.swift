/// A tag of an image in a repository, as the OCI distribution-spec allows it.
///
/// OCI distribution-spec §"Pulling manifests": a tag matches `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
/// Construction validates, so an `ImageTag` value is always pushable.
public struct ImageTag: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The tag's text.
    public let value: String

    /// The longest tag the grammar allows.
    public static let maximumLength = 128

    /// Creates a tag, or returns nil when `value` breaks the OCI tag grammar.
    public init?(_ value: String) {
        guard ImageTag.isValid(value) else { return nil }
        self.value = value
    }

    public var description: String { value }

    public static func < (lhs: ImageTag, rhs: ImageTag) -> Bool { lhs.value < rhs.value }

    /// Whether `value` matches `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    public static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength else { return false }
        guard isWordByte(first) else { return false }
        return bytes.dropFirst().allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Why `value` is not a valid tag, in words a user can act on; nil when it is valid.
    public static func violation(in value: String) -> String? {
        if value.isEmpty { return "a tag can't be empty" }
        if value.utf8.count > maximumLength {
            return "a tag is at most \(maximumLength) characters, this one has \(value.utf8.count)"
        }
        if let first = value.utf8.first, !isWordByte(first) {
            return "a tag must start with a letter, digit or '_'"
        }
        if let bad = value.first(where: { ch in
            !(ch.isASCII && (ch.isLetter || ch.isNumber || ch == "_" || ch == "." || ch == "-"))
        }) {
            return "'\(bad)' is not allowed in a tag (only letters, digits, '_', '.' and '-')"
        }
        return nil
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
