/// Text a person types into the ledger (`--reason`): bounded, and free of control characters other
/// than newlines and tabs, so it can't forge lines or reach a terminal as escape sequences.
public enum FreeText {
    /// The most a reason may hold, in UTF-8 bytes.
    public static let limit = 4096

    /// `text`, or a `.usage` error naming `option` when it is too long or holds control characters.
    public static func validated(_ text: String, option: String) throws(BerthError) -> String {
        guard text.utf8.count <= limit else {
            throw BerthError(.usage, "\(option) is \(text.utf8.count) bytes; keep it under \(limit) (a link can say more)")
        }
        if let bad = text.unicodeScalars.first(where: { isControl($0) }) {
            throw BerthError(
                .usage,
                "\(option) holds the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)); write plain text"
            )
        }
        return text
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            || scalar.properties.generalCategory == .format && scalar.value != 0x200D
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// A version given to a lifecycle command: it must be SemVer (`1.2.3`, `1.3.0-rc.1`), or the input is bad.
public enum VersionArgument {
    public static func validated(_ text: String) throws(BerthError) -> String {
        guard SemanticVersion(text) != nil else {
            let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
            throw BerthError(
                .badInput,
                "'\(shown)' is not a SemVer version: give it as berth plan prints it (1.2.3, 1.3.0-rc.1), without a prefix")
        }
        return text
    }
}
