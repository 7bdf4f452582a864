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
    static func trimmedText<Field: RandomAccessCollection<UInt8>>(_ field: Field) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }
        guard let first = field.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = field.lastIndex(where: { !isSpace($0) })!
        return String(decoding: field[first...last], as: UTF8.self)
    }
}

/// Fields between separator bytes (NUL for `git log -z`, newline for ref listings), read from output as it
/// arrives, so the reader decodes while git still writes (thousands of commits or tags: scripts/bench-plan.sh).
struct FieldStream {
    let separator: UInt8
    /// The start of a field whose end hasn't arrived yet.
    private var partial: [UInt8] = []

    init(separator: UInt8) { self.separator = separator }

    /// Reads `chunk`, calling `emit` with each field it completes.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while let end = chunk[start...].firstIndex(of: separator) {
            let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<end])
            if partial.isEmpty {
                emit(piece)
            } else {
                partial.append(contentsOf: piece)
                partial.withUnsafeBytes { emit($0) }
                partial.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
    }

    /// The last field, which no separator ends.
    func finish(_ emit: (UnsafeRawBufferPointer) -> Void) {
        partial.withUnsafeBytes { emit($0) }
    }
}
