import Foundation

/// git's output split into fields at a separator byte, read from one contiguous copy of the bytes.
///
/// Splitting `Data` directly checks exclusivity on every byte access, which made reading 5,000 commits
/// or tags a visible share of `berth plan` (scripts/bench-plan.sh); an array slice scan doesn't.
struct GitOutputFields {
    let bytes: [UInt8]

    init(_ data: Data) { bytes = [UInt8](data) }

    /// The fields between `separator` bytes, empty ones included.
    func split(at separator: UInt8) -> [ArraySlice<UInt8>] {
        bytes.split(separator: separator, omittingEmptySubsequences: false)
    }

    /// The field as text without the line breaks and spaces git puts between records (`log -z`
    /// separates records with a newline after the NUL).
    static func trimmedText(_ field: ArraySlice<UInt8>) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }
        guard let first = field.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = field.lastIndex(where: { !isSpace($0) })!
        return String(decoding: field[first...last], as: UTF8.self)
    }
}
