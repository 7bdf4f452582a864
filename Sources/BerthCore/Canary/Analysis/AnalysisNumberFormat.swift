import Foundation

/// Numbers in judges' one-line details: integers as integers (`12 requests`), other values with 3
/// significant digits, more when two compared values would otherwise print the same (`0.98996 < min
/// 0.99`, not `0.99 < min 0.99`).
enum AnalysisNumberFormat {
    static func number(_ value: Double, digits: Int = 3) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.\(digits)g", value)
    }

    /// Both values, with enough digits to tell them apart when they differ.
    static func pair(_ a: Double, _ b: Double) -> (String, String) {
        for digits in 3...17 {
            let formatted = (number(a, digits: digits), number(b, digits: digits))
            if a == b || formatted.0 != formatted.1 { return formatted }
        }
        return (number(a, digits: 17), number(b, digits: 17))
    }

    /// A signed shift: `+0.11`, `-3`.
    static func signed(_ value: Double) -> String {
        value > 0 ? "+" + number(value) : number(value)
    }

    /// A p-value: `p=0.031`, `p=2.4e-07`.
    static func pValue(_ value: Double) -> String { "p=" + String(format: "%.2g", value) }
}
