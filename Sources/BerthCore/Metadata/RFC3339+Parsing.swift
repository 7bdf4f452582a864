import Foundation

extension RFC3339 {
    /// Seconds since the epoch of an RFC 3339 time, fractional seconds and offsets included (Trivy writes
    /// nanoseconds); nil when `text` isn't one.
    public static func seconds(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        guard let year = Int(group(1)!), let month = Int(group(2)!), let day = Int(group(3)!), let hour = Int(group(4)!),
            let minute = Int(group(5)!), let second = Int(group(6)!)
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm): no calendar or time zone database needed.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        var seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
        if let fraction = group(7) { seconds += Double("0" + fraction) ?? 0 }
        if let zone = group(8), zone != "Z" {
            let sign: Double = zone.hasPrefix("-") ? -1 : 1
            let parts = zone.dropFirst().split(separator: ":").compactMap { Double($0) }
            seconds -= sign * (parts[0] * 3600 + parts[1] * 60)
        }
        return seconds
    }
}
