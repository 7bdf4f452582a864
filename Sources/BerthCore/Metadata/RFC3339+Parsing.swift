import Foundation

extension RFC3339 {
    /// The times berth accepts and stamps: 1970-01-01T00:00:00Z through 9999-12-31T23:59:59Z, in seconds
    /// since the epoch (a four-digit year, as RFC 3339 writes it, and never before the epoch).
    public static let supportedSeconds: ClosedRange<Int64> = 0...253_402_300_799

    /// Seconds since the epoch of an RFC 3339 time, fractional seconds and offsets included (Trivy writes
    /// nanoseconds); nil when `text` isn't one, or names a day or time that doesn't exist (`2024-02-30`,
    /// month 13, hour 24).
    public static func seconds(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        guard let year = Int(group(1)!), let month = Int(group(2)!), let day = Int(group(3)!), let hour = Int(group(4)!),
            let minute = Int(group(5)!), let second = Int(group(6)!)
        else { return nil }
        // RFC 3339 §5.7: the fields must name a real day and time. A leap second (60) is allowed and
        // counts as the next second, as POSIX time has no leap seconds.
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second)
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
        if let zone = group(8), zone.uppercased() != "Z" {
            let sign: Double = zone.hasPrefix("-") ? -1 : 1
            let parts = zone.dropFirst().split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else { return nil }
            seconds -= sign * Double(parts[0] * 3600 + parts[1] * 60)
        }
        return seconds
    }

    /// The days of `month` (1–12) in the proleptic Gregorian `year`.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
