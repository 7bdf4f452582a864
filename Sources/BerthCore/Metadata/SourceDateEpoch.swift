/// `SOURCE_DATE_EPOCH` as the reproducible-builds specification defines it: the ASCII decimal digits of
/// a whole number of seconds since the epoch, as `date +%s` prints it. A malformed value is an error, never
/// ignored: a build that silently falls back to another time is not reproducible.
public enum SourceDateEpoch {
    /// The variable's name.
    public static let name = "SOURCE_DATE_EPOCH"

    /// The seconds `environment` sets, nil when the variable is unset, or a `.badInput` error naming the
    /// value when it is set to anything else than digits within `RFC3339.supportedSeconds` (empty,
    /// negative, fractional, signed, spaced, or past the year 9999).
    public static func seconds(in environment: [String: String]) throws(BerthError) -> Int64? {
        guard let text = environment[name] else { return nil }
        return try parse(text)
    }

    /// `text` as seconds since the epoch, or a `.badInput` error naming the variable and the value.
    public static func parse(_ text: String) throws(BerthError) -> Int64 {
        let digitsOnly = !text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard digitsOnly, let seconds = Int64(text), RFC3339.supportedSeconds.contains(seconds) else {
            let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
            throw BerthError(
                .badInput,
                "\(name) '\(shown)' is not a time: set it to whole seconds since the epoch as `date +%s` prints them (0 to \(RFC3339.supportedSeconds.upperBound), e.g. $(git log -1 --format=%ct)), or unset it"
            )
        }
        return seconds
    }
}
