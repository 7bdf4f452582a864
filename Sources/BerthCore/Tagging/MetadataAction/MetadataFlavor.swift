/// docker/metadata-action's `flavor:` input: the `latest` switch and a global prefix and suffix.
public struct MetadataFlavor: Sendable, Equatable {
    public enum Latest: String, Sendable { case auto, `true`, `false` }

    public var latest: Latest = .auto
    public var prefix = ""
    public var prefixOnLatest = false
    public var suffix = ""
    public var suffixOnLatest = false

    public init() {}

    /// Parses the flavor lines (`latest=auto`, `prefix=foo-,onlatest=true`, `suffix=-slim`).
    public init(parsing lines: [String]) throws(BerthError) {
        for line in lines {
            func fail(_ reason: String) -> BerthError {
                BerthError(
                    .usage, "flavor '\(line)': \(reason); use latest=auto|true|false, prefix=, suffix= and onlatest=true|false")
            }
            var onLatestFor: String?
            for field in CSVLine.fields(line) where !field.trimmingCharacters().isEmpty {
                let (key, value) = CSVLine.keyValue(field)
                guard let key else { throw fail("'\(field)' is not key=value") }
                switch key {
                case "latest":
                    guard let parsed = Latest(rawValue: value) else { throw fail("invalid latest '\(value)'") }
                    latest = parsed
                case "prefix":
                    prefix = value
                    onLatestFor = "prefix"
                case "suffix":
                    suffix = value
                    onLatestFor = "suffix"
                case "onlatest":
                    guard value == "true" || value == "false" else { throw fail("invalid onlatest '\(value)'") }
                    if onLatestFor == "prefix" { prefixOnLatest = value == "true" }
                    if onLatestFor == "suffix" { suffixOnLatest = value == "true" }
                default:
                    throw fail("unknown entry '\(key)'")
                }
            }
        }
    }
}
