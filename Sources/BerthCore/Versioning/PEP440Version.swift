import Foundation

/// A Python package version as PEP 440 defines it, for metadata-action's `type=pep440` tags.
public struct PEP440Version: Hashable, Sendable, CustomStringConvertible {
    public let epoch: String?
    /// Release segment numbers, leading zeros removed.
    public let release: [String]
    /// Normalised pre-release: `a`, `b` or `rc` and its number.
    public let pre: (label: String, number: String)?
    public let post: String?
    public let dev: String?
    public let local: String?

    /// Parses `text` leniently, as PEP 440's normalisation rules allow (`v1.0-RC1` is `1.0rc1`).
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let range = NSRange(trimmed.startIndex..., in: trimmed)
        guard let match = PEP440Version.pattern.firstMatch(in: trimmed, range: range) else { return nil }
        func group(_ name: String) -> String? {
            let r = match.range(withName: name)
            guard r.location != NSNotFound, let swiftRange = Range(r, in: trimmed) else { return nil }
            return String(trimmed[swiftRange])
        }
        func number(_ text: String?) -> String {
            let digits = (text ?? "0").drop { $0 == "0" }
            return digits.isEmpty ? "0" : String(digits)
        }
        let epochText = group("epoch").map(number)
        epoch = epochText == "0" ? nil : epochText
        release = (group("release") ?? "").split(separator: ".").map { number(String($0)) }
        if let label = group("prel")?.lowercased() {
            let normal =
                ["alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "rc": "rc", "pre": "rc", "preview": "rc"][label]
                ?? label
            pre = (normal, number(group("pren")))
        } else {
            pre = nil
        }
        post = group("postna").map(number) ?? (group("postl") != nil ? number(group("postnb")) : nil)
        dev = group("devl") != nil ? number(group("devn")) : nil
        local = group("local").map { $0.lowercased().replacingOccurrences(of: "[-_]", with: ".", options: .regularExpression) }
    }

    public static func == (lhs: PEP440Version, rhs: PEP440Version) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// A pre-release or development release.
    public var isPrerelease: Bool { pre != nil || dev != nil }

    public var major: String { release.first ?? "0" }
    public var minor: String { release.count > 1 ? release[1] : "0" }
    public var patch: String { release.count > 2 ? release[2] : "0" }

    /// The normalised form (PEP 440 "Normalization").
    public var description: String {
        var text = epoch.map { "\($0)!" } ?? ""
        text += release.joined(separator: ".")
        if let pre { text += pre.label + pre.number }
        if let post { text += ".post" + post }
        if let dev { text += ".dev" + dev }
        if let local { text += "+" + local }
        return text
    }

    // PEP 440 appendix B's canonical pattern.
    nonisolated(unsafe) private static let pattern = try! NSRegularExpression(
        pattern: "^v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)"
            + "(?<pre>[-_.]?(?<prel>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?<pren>[0-9]+)?)?"
            + "(?<post>(?:-(?<postna>[0-9]+))|(?:[-_.]?(?<postl>post|rev|r)[-_.]?(?<postnb>[0-9]+)?))?"
            + "(?<dev>[-_.]?(?<devl>dev)[-_.]?(?<devn>[0-9]+)?)?)"
            + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$",
        options: [.caseInsensitive])
}
