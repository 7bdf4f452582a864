/// One line of docker/metadata-action's `tags:` input, such as `type=semver,pattern={{version}}`.
public struct MetadataTagRule: Sendable, Equatable {
    /// The rule types the action knows.
    public enum Kind: String, Sendable, CaseIterable {
        case schedule, semver, pep440, match, edge, ref, raw, sha

        /// The action's default priorities: a higher one is processed first and gives the main version.
        var defaultPriority: Int {
            switch self {
            case .schedule: 1000
            case .semver, .pep440: 900
            case .match: 800
            case .edge: 700
            case .ref: 600
            case .raw: 200
            case .sha: 100
            }
        }
    }

    public let kind: Kind
    /// Attributes as written (`pattern`, `value`, `prefix`, `enable`…), defaults filled in.
    public let attributes: [String: String]
    /// The line as given, for messages.
    public let line: String

    public var priority: Int { Int(attributes["priority"] ?? "") ?? kind.defaultPriority }
    /// An attribute's value; "" when the line doesn't set it (parsing fills the defaults each kind needs).
    public subscript(_ name: String) -> String { attributes[name] ?? "" }
    /// `type=match`'s group (validated as an integer when the line is parsed).
    public var group: Int { Int(self["group"]) ?? 0 }

    /// The action's rules when `tags:` is empty.
    public static let defaults: [MetadataTagRule] = [
        "type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr",
    ].map { try! MetadataTagRule(parsing: $0) }

    /// Parses one line; a field without `=` is the value of a `type=raw` rule.
    public init(parsing line: String) throws(BerthError) {
        func fail(_ reason: String) -> BerthError {
            BerthError(.usage, "tag rule '\(line)': \(reason); see docker/metadata-action's tags input")
        }
        var kind: Kind?
        var attributes: [String: String] = [:]
        for field in CSVLine.fields(line) where !field.trimmingCharacters().isEmpty {
            let (key, value) = CSVLine.keyValue(field)
            guard let key else {
                attributes["value"] = value
                continue
            }
            if key.lowercased() == "type" {
                guard let parsed = Kind(rawValue: value) else {
                    throw fail("unknown type '\(value)' (use one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                kind = parsed
            } else {
                attributes[key.lowercased()] = value
            }
        }
        let type = kind ?? .raw
        switch type {
        case .schedule:
            attributes["pattern"] = attributes["pattern"] ?? "nightly"
        case .semver, .pep440:
            guard attributes["pattern"] != nil else { throw fail("missing pattern attribute") }
            attributes["value"] = attributes["value"] ?? ""
            attributes["match"] = attributes["match"] ?? ""
        case .match:
            guard attributes["pattern"] != nil else { throw fail("missing pattern attribute") }
            attributes["group"] = attributes["group"] ?? "0"
            guard let group = attributes["group"], Int(group) != nil else {
                throw fail("invalid match group '\(attributes["group"] ?? "")'")
            }
            attributes["value"] = attributes["value"] ?? ""
        case .edge:
            attributes["branch"] = attributes["branch"] ?? ""
        case .ref:
            guard let event = attributes["event"] else { throw fail("missing event attribute") }
            guard ["branch", "tag", "pr"].contains(event) else { throw fail("invalid event '\(event)' (use branch, tag or pr)") }
            if event == "pr", attributes["prefix"] == nil { attributes["prefix"] = "pr-" }
        case .raw:
            guard attributes["value"] != nil else { throw fail("missing value attribute") }
        case .sha:
            attributes["prefix"] = attributes["prefix"] ?? "sha-"
            attributes["format"] = attributes["format"] ?? "short"
            guard let format = attributes["format"], ["short", "long"].contains(format) else {
                throw fail("invalid format '\(attributes["format"] ?? "")' (use short or long)")
            }
        }
        attributes["enable"] = attributes["enable"] ?? "true"
        if let priority = attributes["priority"], Int(priority) == nil {
            throw fail("priority '\(priority)' is not a number")
        }
        self.kind = type
        self.attributes = attributes
        self.line = line
    }
}
