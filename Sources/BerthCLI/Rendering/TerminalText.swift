/// Text from outside berth (reasons, actors, scan findings, inputs echoed in errors) made safe for one
/// terminal line: control characters and escape sequences shown escaped (`\n`, `\u{1B}`), never
/// interpreted, and the length bounded.
enum TerminalText {
    static func escaped(_ text: String, limit: Int = 1000) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                let rest = text.unicodeScalars.count - count
                return out + "… (\(rest) more characters)"
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _
            where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || (scalar.properties.generalCategory == .format && scalar.value != 0x200D):
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }
}
