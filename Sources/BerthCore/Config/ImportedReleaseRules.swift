import BerthOCI

/// berth.yaml's `version:` section converted from another release tool's configuration (`berth init
/// --from`), with one line for each setting that could not be carried over.
public struct ImportedReleaseRules: Hashable, Sendable {
    /// The file the settings came from, as named to the user.
    public var source: String
    public var preset: VersionPreset
    public var tagPrefix: String
    /// The branch that releases, when the tool names it.
    public var defaultBranch: String?
    /// Set when it differs from the preset's.
    public var breakingBumpBelowOne: VersionBump?
    /// Rules over the preset's table, in the order given.
    public var bumps: [BumpRule] = []
    /// Branch rules; nil keeps berth's defaults.
    public var channels: [ChannelRule]?
    /// What was left out and why, one line each.
    public var notCarried: [String] = []

    public init(source: String, preset: VersionPreset, tagPrefix: String) {
        self.source = source
        self.preset = preset
        self.tagPrefix = tagPrefix
    }

    /// The prefix before `placeholder` in a tag format (`v${version}` → `v`); nil when something follows it or
    /// it is missing.
    static func prefix(of format: String, placeholders: [String]) -> String? {
        for placeholder in placeholders where format.hasSuffix(placeholder) {
            let prefix = String(format.dropLast(placeholder.count))
            if !prefix.contains("$") { return prefix }
        }
        return nil
    }

    /// A value as the user wrote it, for messages: `{release: patch, type: docs}`.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let number): String(number)
        case .string(let text): text
        case .array(let items): "[" + items.map(describe).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.keys.sorted().map { "\($0): \(describe(members[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}
