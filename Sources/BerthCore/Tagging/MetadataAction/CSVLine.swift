/// Splits one line of comma-separated fields the way csv-parse does for docker/metadata-action's inputs:
/// a field in double quotes may hold commas, and `""` inside it is one quote.
enum CSVLine {
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var atFieldStart = true
        var chars = line.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? chars.next() {
            pending = nil
            if inQuotes {
                if ch == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where atFieldStart:
                inQuotes = true
                atFieldStart = false
            case ",":
                fields.append(field)
                field = ""
                atFieldStart = true
            default:
                field.append(ch)
                atFieldStart = false
            }
        }
        fields.append(field)
        return fields
    }

    /// Splits `key=value` at the first `=`, trimming both sides; nil key for a bare value.
    static func keyValue(_ field: String) -> (key: String?, value: String) {
        guard let eq = field.firstIndex(of: "="), eq != field.startIndex else {
            return (nil, field.trimmingCharacters())
        }
        return (
            String(field[..<eq]).trimmingCharacters(),
            String(field[field.index(after: eq)...]).trimmingCharacters()
        )
    }
}

extension String {
    func trimmingCharacters() -> String { String(Substring(self).trimmingSpaces()) }
}
