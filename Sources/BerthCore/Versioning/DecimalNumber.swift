/// A non-negative integer of any size, kept as its decimal digits.
///
/// SemVer 2.0.0 puts no bound on numeric identifiers (§2, §9), so `18446744073709551616` is as valid
/// as `1`; comparing and incrementing digit strings keeps precedence exact at any size.
public struct DecimalNumber: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The digits, without leading zeros ("0" for zero).
    public let digits: String

    /// Creates a number from canonical digits; nil for an empty string, a non-digit or a leading zero.
    public init?(_ digits: Substring) {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        guard digits == "0" || digits.first != "0" else { return nil }
        self.digits = String(digits)
    }

    public init(_ value: UInt) { digits = String(value) }

    public init(integerLiteral value: UInt) { self.init(value) }

    public static let zero = DecimalNumber(0)

    public var description: String { digits }

    /// The value when it fits in an `Int`, for rendering into templates and arithmetic on small counters.
    public var intValue: Int? { Int(digits) }

    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        if lhs.digits.utf8.count != rhs.digits.utf8.count { return lhs.digits.utf8.count < rhs.digits.utf8.count }
        // Same length and no leading zeros: byte order is numeric order.
        return lhs.digits.utf8.lexicographicallyPrecedes(rhs.digits.utf8)
    }

    /// This number plus one, carried through every digit.
    public func incremented() -> DecimalNumber {
        var bytes = Array(digits.utf8)
        var index = bytes.count - 1
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "9") {
                bytes[index] = UInt8(ascii: "0")
                index -= 1
            } else {
                bytes[index] += 1
                return DecimalNumber(uncheckedDigits: String(decoding: bytes, as: UTF8.self))
            }
        }
        return DecimalNumber(uncheckedDigits: "1" + String(decoding: bytes, as: UTF8.self))
    }

    private init(uncheckedDigits: String) { digits = uncheckedDigits }
}
