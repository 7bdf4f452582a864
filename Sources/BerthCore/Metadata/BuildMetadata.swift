import BerthOCI

/// Project facts for image labels, from berth.yaml or the CI system.
public struct ProjectInfo: Hashable, Sendable {
    public var title: String?
    public var description: String?
    public var url: String?
    public var source: String?
    public var documentation: String?
    public var authors: String?
    public var vendor: String?
    public var licenses: String?

    public init(
        title: String? = nil, description: String? = nil, url: String? = nil, source: String? = nil,
        documentation: String? = nil, authors: String? = nil, vendor: String? = nil, licenses: String? = nil
    ) {
        self.title = title
        self.description = description
        self.url = url
        self.source = source
        self.documentation = documentation
        self.authors = authors
        self.vendor = vendor
        self.licenses = licenses
    }
}

/// Where Go's `-X` flags point.
public struct LdflagsPolicy: Hashable, Sendable {
    /// The Go package path holding the variables (`main`, `github.com/acme/api/internal/version`).
    public var package: String
    public var versionVariable: String
    public var commitVariable: String
    public var dateVariable: String
    /// `-s -w`: strip symbol and debug tables.
    public var strip: Bool

    public init(
        package: String = "main", versionVariable: String = "Version", commitVariable: String = "Commit",
        dateVariable: String = "BuildDate", strip: Bool = true
    ) {
        self.package = package
        self.versionVariable = versionVariable
        self.commitVariable = commitVariable
        self.dateVariable = dateVariable
        self.strip = strip
    }
}

/// The labels, build args and Go `-ldflags` of one build; same inputs, same bytes.
public struct BuildMetadata: Hashable, Sendable {
    /// OCI annotation keys and values, sorted by key.
    public let labels: [(key: String, value: String)]
    /// `BUILD_DATE`, `VCS_REF`, `VERSION`.
    public let buildArgs: [(key: String, value: String)]
    public let ldflags: String
    /// RFC 3339 UTC creation time.
    public let created: String
    /// The same time in seconds since the epoch (file times in layers, SOURCE_DATE_EPOCH for drivers).
    public let createdSeconds: Int64

    public static func == (lhs: BuildMetadata, rhs: BuildMetadata) -> Bool {
        lhs.labels.elementsEqual(rhs.labels, by: ==) && lhs.buildArgs.elementsEqual(rhs.buildArgs, by: ==)
            && lhs.ldflags == rhs.ldflags && lhs.created == rhs.created
    }

    public func hash(into hasher: inout Hasher) {
        for (k, v) in labels { hasher.combine(k); hasher.combine(v) }
        hasher.combine(ldflags)
    }

    /// Builds the metadata. `created` is seconds since the epoch: SOURCE_DATE_EPOCH or the commit time,
    /// chosen by the caller, so two builds of one commit agree.
    public init(
        version: String, revision: String, created: Int64, refName: String?, project: ProjectInfo, ldflags policy: LdflagsPolicy
    ) {
        let createdText = RFC3339.utc(seconds: created)
        let candidates: [(String, String?)] = [
            (AnnotationKey.created, createdText), (AnnotationKey.revision, revision), (AnnotationKey.version, version),
            (AnnotationKey.source, project.source.map(RemoteURL.sanitized)),
            (AnnotationKey.url, (project.url ?? project.source).map(RemoteURL.sanitized)),
            (AnnotationKey.title, project.title), (AnnotationKey.description, project.description),
            (AnnotationKey.documentation, project.documentation), (AnnotationKey.authors, project.authors),
            (AnnotationKey.vendor, project.vendor), (AnnotationKey.licenses, project.licenses), (AnnotationKey.refName, refName),
        ]
        labels = candidates.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : (key, $0) } }.sorted { $0.0 < $1.0 }
        buildArgs = [("BUILD_DATE", createdText), ("VCS_REF", revision), ("VERSION", version)]
        var flags: [String] = policy.strip ? ["-s", "-w"] : []
        for (variable, value) in [
            (policy.versionVariable, version), (policy.commitVariable, revision), (policy.dateVariable, createdText),
        ] {
            flags += ["-X", "\(policy.package).\(variable)=\(value)"]
        }
        ldflags = flags.joined(separator: " ")
        self.created = createdText
        self.createdSeconds = created
    }

    /// The same metadata with other labels, kept in the order given (docker/metadata-action's own list).
    public func replacingLabels(_ labels: [(key: String, value: String)]) -> BuildMetadata {
        BuildMetadata(labels: labels, buildArgs: buildArgs, ldflags: ldflags, created: created, createdSeconds: createdSeconds)
    }

    private init(
        labels: [(key: String, value: String)], buildArgs: [(key: String, value: String)], ldflags: String, created: String,
        createdSeconds: Int64
    ) {
        self.labels = labels
        self.buildArgs = buildArgs
        self.ldflags = ldflags
        self.created = created
        self.createdSeconds = createdSeconds
    }
}

/// RFC 3339 timestamps without Foundation's clock.
public enum RFC3339 {
    /// `2024-03-01T12:00:00Z` for `seconds` since the epoch, computed from the civil calendar.
    public static func utc(seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
            + "-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))Z"
    }
}

/// Git remote URLs made fit for labels: credentials removed, SSH forms turned into https.
public enum RemoteURL {
    /// `git@github.com:acme/api.git` → `https://github.com/acme/api`; `https://user:token@host/x` → `https://host/x`.
    public static func sanitized(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://") {
            let afterScheme = text[scheme.upperBound...]
            let hostEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            if let at = afterScheme[..<hostEnd].lastIndex(of: "@") {
                text = String(text[..<scheme.upperBound]) + String(afterScheme[afterScheme.index(after: at)...])
            }
            if text.hasPrefix("ssh://") || text.hasPrefix("git://") {
                text = "https://" + text.drop { $0 != ":" }.dropFirst(3)
            }
        } else if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            // scp-like: [user@]host:path
            let hostPart = text[..<colon]
            let host = hostPart.split(separator: "@").last.map(String.init) ?? String(hostPart)
            text = "https://\(host)/\(text[text.index(after: colon)...])"
        }
        if text.hasSuffix(".git") { text.removeLast(4) }
        return text
    }
}
