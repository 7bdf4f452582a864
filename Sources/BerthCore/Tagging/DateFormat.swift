import Foundation

/// Formats instants with Moment.js tokens (`YYYYMMDD-HHmmss`), the syntax docker/metadata-action's
/// `{{date}}` helper takes, in a named time zone (UTC by default).
public enum DateFormat {
    /// Renders `seconds` since the epoch with `format` in `timeZone` (an IANA name such as `Asia/Tokyo`).
    /// Supported tokens: YYYY YY Q M MM MMM MMMM D DD DDD DDDD d E H HH h hh m mm s ss S SS SSS A a X x Z ZZ;
    /// `[text]` is literal; any other character is copied.
    public static func format(seconds: Double, _ format: String, timeZone: String = "UTC") throws(TemplateError) -> String {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw TemplateError(
                template: format, reason: "unknown time zone '\(timeZone)' (use an IANA name such as Europe/Paris)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: seconds)
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday, .quarter], from: date)
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let offset = zone.secondsFromGMT(for: date)
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
            "December",
        ]
        let year = parts.year ?? 1970, month = parts.month ?? 1, day = parts.day ?? 1
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0, second = parts.second ?? 0
        let millis = (parts.nanosecond ?? 0) / 1_000_000
        func pad(_ n: Int, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        func zoneText(_ colon: Bool) -> String {
            let sign = offset < 0 ? "-" : "+"
            let total = abs(offset) / 60
            return sign + pad(total / 60, 2) + (colon ? ":" : "") + pad(total % 60, 2)
        }
        let hour12 = hour % 12 == 0 ? 12 : hour % 12
        // Longest tokens first, as Moment matches them.
        let tokens: [(String, () -> String)] = [
            ("YYYY", { pad(year, 4) }), ("MMMM", { months[month - 1] }), ("DDDD", { pad(dayOfYear, 3) }),
            ("MMM", { String(months[month - 1].prefix(3)) }), ("DDD", { String(dayOfYear) }), ("SSS", { pad(millis, 3) }),
            ("YY", { pad(year % 100, 2) }), ("MM", { pad(month, 2) }), ("DD", { pad(day, 2) }), ("HH", { pad(hour, 2) }),
            ("hh", { pad(hour12, 2) }), ("mm", { pad(minute, 2) }), ("ss", { pad(second, 2) }), ("SS", { pad(millis / 10, 2) }),
            ("ZZ", { zoneText(false) }), ("Q", { String(parts.quarter ?? ((month - 1) / 3 + 1)) }), ("M", { String(month) }),
            ("D", { String(day) }), ("d", { String((parts.weekday ?? 1) - 1) }),
            ("E", { String(((parts.weekday ?? 1) + 5) % 7 + 1) }),
            ("H", { String(hour) }), ("h", { String(hour12) }), ("m", { String(minute) }), ("s", { String(second) }),
            ("S", { String(millis / 100) }), ("A", { hour < 12 ? "AM" : "PM" }), ("a", { hour < 12 ? "am" : "pm" }),
            ("X", { String(Int(seconds.rounded(.down))) }), ("x", { String(Int((seconds * 1000).rounded(.down))) }),
            ("Z", { zoneText(true) }),
        ]
        var output = ""
        var rest = Substring(format)
        outer: while !rest.isEmpty {
            if rest.first == "[", let close = rest.firstIndex(of: "]") {
                output += rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                continue
            }
            for (token, value) in tokens where rest.hasPrefix(token) {
                output += value()
                rest = rest.dropFirst(token.count)
                continue outer
            }
            output.append(rest.removeFirst())
        }
        return output
    }
}
