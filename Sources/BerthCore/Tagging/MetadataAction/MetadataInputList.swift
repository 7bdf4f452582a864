/// Reads a multi-line input of docker/metadata-action (`tags:`, `flavor:`, `images:`, `labels:`) into its
/// lines the way the action's input reader does, before each line is parsed on its own.
///
/// The whole input is read as CSV with lenient quotes: a field that starts with `"` is quoted (it may hold
/// commas, newlines and `""` for one quote); a quote anywhere else is kept as written. A record of one field
/// is that field, quotes removed — so `"type=match,""pattern=\d{1,2}"""` reaches the tag parser as
/// `type=match,"pattern=\d{1,2}"` and the quoted comma survives; a record of several fields is its fields
/// joined with commas again (their quotes removed). Lines starting with `#` and empty lines are skipped;
/// each line is trimmed.
public enum MetadataInputList {
    public static func lines(_ text: String) -> [String] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var atFieldStart = true
        var atLineStart = true
        var inComment = false
        var chars = Array(text)
        chars.append("\n")
        var index = 0
        func endRecord() {
            record.append(field)
            if !(record.count == 1 && record[0].trimmingCharacters().isEmpty) { records.append(record) }
            record = []
            field = ""
            atFieldStart = true
            atLineStart = true
        }
        while index < chars.count {
            let ch = chars[index]
            index += 1
            if inComment {
                if ch.isNewline {
                    inComment = false
                    atLineStart = true
                }
                continue
            }
            if inQuotes {
                if ch == "\"" {
                    if index < chars.count, chars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(ch)
                }
                continue
            }
            if atLineStart && ch == "#" {
                inComment = true
                continue
            }
            atLineStart = false
            switch ch {
            case "\"" where atFieldStart:
                inQuotes = true
                atFieldStart = false
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
            case _ where ch.isNewline:
                endRecord()
            default:
                field.append(ch)
                atFieldStart = false
            }
        }
        if inQuotes || !field.isEmpty || !record.isEmpty { endRecord() }
        return records.map { $0.count == 1 ? $0[0] : $0.joined(separator: ",") }
            .map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
    }
}
