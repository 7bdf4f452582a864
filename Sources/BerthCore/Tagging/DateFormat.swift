import Foundation

/// Formats instants with Moment.js tokens (`YYYYMMDD-HHmmss`), the syntax docker/metadata-action's
/// `{{date}}` helper takes, in a named time zone (UTC by default), with Moment's English locale.
public enum DateFormat {
    /// Moment's format when none is given: `YYYY-MM-DDTHH:mm:ssZ`, with a literal `Z` in UTC.
    public static func defaultFormat(timeZone: String) -> String {
        timeZone == "UTC" || timeZone == "Etc/UTC" ? "YYYY-MM-DDTHH:mm:ss[Z]" : "YYYY-MM-DDTHH:mm:ssZ"
    }

    /// Renders `seconds` since the epoch with `format` in `timeZone` (an IANA name such as `Asia/Tokyo`).
    ///
    /// Tokens are matched as Moment matches them (its token list in order, not the longest first): YYYYYY
    /// YYYYY YYYY YY Y, Q Qo, M Mo MM MMM MMMM, D Do DD DDD DDDo DDDD, d do dd ddd dddd e E, w wo ww W Wo WW,
    /// H HH h hh k kk m mm s ss S…SSSSSSSSS, a A, X x, Z ZZ z zz. `[text]` is literal, `\c` is a literal
    /// character, and every other character is copied (`T` in `YYYY-MM-DDTHH`).
    public static func format(seconds: Double, _ format: String, timeZone: String = "UTC") throws(TemplateError) -> String {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw TemplateError(
                template: format, reason: "unknown time zone '\(timeZone)' (use an IANA name such as Europe/Paris)")
        }
        let fields = Fields(seconds: seconds, zone: zone)
        var output = ""
        var rest = Substring(format)
        outer: while let first = rest.first {
            if first == "[", let close = rest.firstIndex(of: "]"), !rest[rest.index(after: rest.startIndex)..<close].contains("[")
            {
                output += rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                continue
            }
            if first == "\\", rest.count > 1 {
                rest.removeFirst()
                output.append(rest.removeFirst())
                continue
            }
            for token in tokens where rest.hasPrefix(token) {
                output += fields.render(token)
                rest = rest.dropFirst(token.count)
                continue outer
            }
            output.append(rest.removeFirst())
        }
        return output
    }

    /// Moment's tokens in the order its pattern tries them.
    static let tokens: [String] = [
        "Hmmss", "Hmm", "hmmss", "hmm", "Mo", "MMMM", "MMM", "MM", "M", "Do", "DDDo", "DDDD", "DDD", "DD", "D", "dddd", "ddd",
        "dd", "do", "d", "wo", "ww", "w", "Wo", "WW", "W", "Qo", "Q", "YYYYYY", "YYYYY", "YYYY", "YY", "e", "E", "a", "A", "hh",
        "h",
        "HH", "H", "kk", "k", "mm", "m", "ss", "s", "SSSSSSSSS", "SSSSSSSS", "SSSSSSS", "SSSSSS", "SSSSS", "SSSS", "SSS", "SS",
        "S", "x", "X", "zz", "z", "ZZ", "Z", "Y",
    ]

    /// The calendar fields of one instant in one zone.
    struct Fields {
        let seconds: Double
        let zone: TimeZone
        let year, month, day, hour, minute, second, millis, weekday, dayOfYear, isoWeek, localeWeek: Int
        let offset: Int

        static let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
            "December",
        ]
        static let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

        init(seconds: Double, zone: TimeZone) {
            self.seconds = seconds
            self.zone = zone
            let date = Date(timeIntervalSince1970: seconds)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
            year = parts.year ?? 1970
            month = parts.month ?? 1
            day = parts.day ?? 1
            hour = parts.hour ?? 0
            minute = parts.minute ?? 0
            second = parts.second ?? 0
            let whole = seconds.rounded(.down)
            millis = Int(((seconds - whole) * 1000).rounded(.down))
            weekday = (parts.weekday ?? 1) - 1
            dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
            var iso = Calendar(identifier: .iso8601)
            iso.timeZone = zone
            isoWeek = iso.component(.weekOfYear, from: date)
            // Moment's English locale: weeks start on Sunday and the week holding January 1st is week 1.
            var us = Calendar(identifier: .gregorian)
            us.timeZone = zone
            us.firstWeekday = 1
            us.minimumDaysInFirstWeek = 1
            localeWeek = us.component(.weekOfYear, from: date)
            offset = zone.secondsFromGMT(for: date)
        }

        func pad(_ n: Int, _ width: Int) -> String {
            let text = String(abs(n))
            return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
        }

        func ordinal(_ n: Int) -> String {
            let tens = n % 100 / 10
            let suffix = tens == 1 ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
            return "\(n)\(suffix)"
        }

        func zoneText(_ colon: Bool) -> String {
            let total = abs(offset) / 60
            return (offset < 0 ? "-" : "+") + pad(total / 60, 2) + (colon ? ":" : "") + pad(total % 60, 2)
        }

        func render(_ token: String) -> String {
            let hour12 = hour % 12 == 0 ? 12 : hour % 12
            switch token {
            case "Hmmss": return "\(hour)" + pad(minute, 2) + pad(second, 2)
            case "Hmm": return "\(hour)" + pad(minute, 2)
            case "hmmss": return "\(hour12)" + pad(minute, 2) + pad(second, 2)
            case "hmm": return "\(hour12)" + pad(minute, 2)
            case "Mo": return ordinal(month)
            case "MMMM": return Self.months[month - 1]
            case "MMM": return String(Self.months[month - 1].prefix(3))
            case "MM": return pad(month, 2)
            case "M": return "\(month)"
            case "Do": return ordinal(day)
            case "DDDo": return ordinal(dayOfYear)
            case "DDDD": return pad(dayOfYear, 3)
            case "DDD": return "\(dayOfYear)"
            case "DD": return pad(day, 2)
            case "D": return "\(day)"
            case "dddd": return Self.days[weekday]
            case "ddd": return String(Self.days[weekday].prefix(3))
            case "dd": return String(Self.days[weekday].prefix(2))
            case "do": return ordinal(weekday)
            case "d", "e": return "\(weekday)"
            case "E": return "\(weekday == 0 ? 7 : weekday)"
            case "wo": return ordinal(localeWeek)
            case "ww": return pad(localeWeek, 2)
            case "w": return "\(localeWeek)"
            case "Wo": return ordinal(isoWeek)
            case "WW": return pad(isoWeek, 2)
            case "W": return "\(isoWeek)"
            case "Qo": return ordinal((month - 1) / 3 + 1)
            case "Q": return "\((month - 1) / 3 + 1)"
            case "YYYYYY": return (year < 0 ? "-" : "+") + pad(abs(year), 6)
            case "YYYYY": return pad(year, 5)
            case "YYYY", "Y": return year <= 9999 ? pad(year, 4) : "+\(year)"
            case "YY": return pad(year % 100, 2)
            case "a": return hour < 12 ? "am" : "pm"
            case "A": return hour < 12 ? "AM" : "PM"
            case "hh": return pad(hour12, 2)
            case "h": return "\(hour12)"
            case "HH": return pad(hour, 2)
            case "H": return "\(hour)"
            case "kk": return pad(hour == 0 ? 24 : hour, 2)
            case "k": return "\(hour == 0 ? 24 : hour)"
            case "mm": return pad(minute, 2)
            case "m": return "\(minute)"
            case "ss": return pad(second, 2)
            case "s": return "\(second)"
            case "x": return String(Int((seconds * 1000).rounded(.down)))
            case "X": return String(Int(seconds.rounded(.down)))
            case "zz", "z":
                return offset == 0 ? "UTC" : (zone.abbreviation(for: Date(timeIntervalSince1970: seconds)) ?? zoneText(true))
            case "ZZ": return zoneText(false)
            case "Z": return zoneText(true)
            default:
                // S to SSSSSSSSS: fractions of a second, milliseconds then zeros (Moment keeps milliseconds only).
                let digits = pad(millis, 3) + "000000"
                return String(digits.prefix(token.count))
            }
        }
    }
}
