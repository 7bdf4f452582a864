import Foundation

/// Durations as people write them in berth.yaml and the environment: `30s`, `2m`, `1m30s`, `1.5s`,
/// `500ms`, `1h`, `7d`, or a bare number of seconds. One grammar for every place berth reads one.
public enum DurationText {
    /// The seconds `text` says; nil for anything else (negative, empty, unknown units, not finite).
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let seconds = Double(trimmed) { return seconds.isFinite && seconds >= 0 ? seconds : nil }
        var total = 0.0
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m", "min": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            default: return nil
            }
        }
        return total.isFinite ? total : nil
    }
}
