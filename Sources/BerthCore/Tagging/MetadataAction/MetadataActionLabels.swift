/// The labels docker/metadata-action outputs: the OCI annotations it derives from the repository, the
/// version, the clock and the commit, then its `labels:` lines, a later key replacing an earlier one,
/// sorted by key. Its annotations are the same list with the `annotations:` lines instead.
public enum MetadataActionLabels {
    /// The repository facts the action reads from GitHub's API (the event payload's `repository` carries
    /// the same ones).
    public struct Repository: Sendable, Equatable {
        public var name: String?
        public var description: String?
        public var htmlURL: String?
        public var license: String?

        public init(name: String? = nil, description: String? = nil, htmlURL: String? = nil, license: String? = nil) {
            self.name = name
            self.description = description
            self.htmlURL = htmlURL
            self.license = license
        }

        /// The facts of the payload's `repository` object.
        public init(payload: GitHubEventPayload?) {
            self.init(
                name: payload?.repositoryName, description: payload?.repositoryDescription,
                htmlURL: payload?.repositoryHTMLURL, license: payload?.repositoryLicense)
        }
    }

    /// `key=value` lines. `created` is the action's clock in RFC 3339 with milliseconds, as JavaScript's
    /// `toISOString` writes it, unless the caller passes berth's; each extra line is rendered with the global
    /// expressions; a line without `=` is dropped.
    public static func labels(
        repository: Repository, version: String?, tagger: MetadataActionTagger, extra: [String], created: String? = nil
    ) throws(BerthError) -> [String] {
        let seconds = tagger.context.now.rounded(.down)
        let millis = Int(((tagger.context.now - seconds) * 1000).rounded(.down))
        let created =
            created ?? String(RFC3339.utc(seconds: Int64(seconds)).dropLast()) + "." + String(1000 + millis).dropFirst() + "Z"
        var lines = [
            "org.opencontainers.image.title=\(repository.name ?? "")",
            "org.opencontainers.image.description=\(repository.description ?? "")",
            "org.opencontainers.image.url=\(repository.htmlURL ?? "")",
            "org.opencontainers.image.source=\(repository.htmlURL ?? "")",
            "org.opencontainers.image.version=\(version ?? "")",
            "org.opencontainers.image.created=\(created)",
            "org.opencontainers.image.revision=\(tagger.context.sha)",
            "org.opencontainers.image.licenses=\(repository.license ?? "")",
        ]
        for line in extra { lines.append(try tagger.expression(line)) }
        var order: [String] = []
        var values: [String: String] = [:]
        for line in lines {
            guard let (key, value) = pair(line) else { continue }
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        return order.sorted(by: localeOrder).map { "\($0)=\(values[$0] ?? "")" }
    }

    /// A `key=value` line split at its first `=` (the value may hold more); nil without one.
    public static func pair(_ line: String) -> (key: String, value: String)? {
        guard let eq = line.firstIndex(of: "=") else { return nil }
        return (String(line[..<eq]), String(line[line.index(after: eq)...]))
    }

    /// JavaScript's `localeCompare` for label keys: letters ignoring case first, lower case before upper.
    static func localeOrder(_ a: String, _ b: String) -> Bool {
        let (la, lb) = (a.lowercased(), b.lowercased())
        return la == lb ? a > b : la < lb
    }
}
