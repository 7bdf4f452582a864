import BerthOCI
import Foundation

/// A vulnerability scan report, Trivy (`SchemaVersion` 2), Grype (`-o json`) or Clair v4 (a
/// VulnerabilityReport), reduced to what a gate needs: the findings, the image it is about, and when it
/// was made.
///
/// None of them writes totals, so findings are counted here: Trivy's `Vulnerabilities` and `Secrets`
/// (`Misconfigurations` and `Licenses` are not counted), Grype's `matches` (never `ignoredMatches`),
/// Clair's `package_vulnerabilities` pairs (`ScanReport+Clair.swift`).
/// Trivy omits `Results`/`Vulnerabilities`/`Secrets` when empty. Every field read is type-checked: a
/// report berth can't read completely is bad input naming the JSON path, never a decision.
public struct ScanReport: Sendable, Equatable {
    /// `harbor`: a registry's scan summary (counts per severity, no findings), read from its webhook or
    /// its artifact API.
    public enum Scanner: String, Sendable, Equatable { case trivy, grype, clair, harbor }

    public struct Finding: Sendable, Equatable {
        public let id: String
        public let severity: Severity
        public let package: String
        public let installedVersion: String
        public let fixable: Bool
        /// A package vulnerability, or a secret found in the image (Trivy `Secrets`: `id` is the rule,
        /// `package` the file).
        public let kind: Kind

        public enum Kind: String, Sendable, Equatable { case vulnerability, secret }
    }

    /// What the report says it scanned.
    public struct Subject: Sendable, Equatable {
        /// A name for messages (`ArtifactName`, `userInput`).
        public var name: String
        /// `container_image` / `image` / `manifest` (Clair), or what else (`repository`, `filesystem`, `directory`).
        public var kind: String
        /// The image's config digest (Trivy `Metadata.ImageID`, Grype `imageID`).
        public var configDigest: Digest?
        /// Manifest digests (Grype `manifestDigest`, Clair `manifest_hash`, and the digests of
        /// `RepoDigests`/`repoDigests`).
        public var manifestDigests: [Digest]
    }

    public let scanner: Scanner
    public let findings: [Finding]
    public let subject: Subject
    /// When the scan ran, seconds since the epoch; nil when the report doesn't say.
    public let created: Double?
    /// The SHA-256 of the report's bytes, recorded with the decision.
    public let digest: Digest

    /// Parses a report; anything else (truncated, not JSON, another tool's format, a wrong type at any level
    /// berth reads, a severity it doesn't know) is bad input (exit 65).
    public init(parsing data: Data, name: String) throws(BerthError) {
        digest = Digest.sha256(of: data)
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw BerthError(
                .badInput,
                "report '\(name)' is not valid JSON (truncated or corrupt?): produce it again with trivy --format json, grype -o json or Clair's vulnerability_report API"
            )
        }
        if root["SchemaVersion"] != nil, root["ArtifactName"] != nil || root["Results"] != nil {
            scanner = .trivy
            (findings, subject, created) = try Self.trivy(root, name: name)
        } else if root["matches"] != nil, root["source"] != nil {
            scanner = .grype
            (findings, subject, created) = try Self.grype(root, name: name)
        } else if root["manifest_hash"] != nil {
            scanner = .clair
            (findings, subject, created) = try Self.clair(root, name: name)
        } else {
            throw BerthError(
                .badInput,
                "report '\(name)' is neither Trivy (SchemaVersion, Results), Grype (matches, source) nor Clair v4 (manifest_hash, vulnerabilities) JSON: pass a trivy --format json, grype -o json or Clair vulnerability report"
            )
        }
    }

    /// Counts per severity.
    public static func counts(_ findings: [Finding]) -> [Severity: Int] {
        var counts: [Severity: Int] = [:]
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        return counts
    }

    private static func trivy(_ root: JSONValue, name: String) throws(BerthError) -> ([Finding], Subject, Double?) {
        guard case .integer(let version) = root["SchemaVersion"] ?? .null, version == 2 else {
            throw BerthError(
                .badInput,
                "report '\(name)' has Trivy SchemaVersion \(root["SchemaVersion"].map { "\($0)" } ?? "?"), berth reads 2: use Trivy 0.20 or later"
            )
        }
        let top = ReportCursor(value: root, path: "", report: name)
        var findings: [Finding] = []
        // Trivy omits empty lists (`omitempty`) and writes null for some; both mean none.
        for result in try top["Results"].entries() {
            try result.requireObject()
            let target = try result["Target"].optionalString() ?? ""
            for vulnerability in try result["Vulnerabilities"].entries() {
                try vulnerability.requireObject()
                let id = try vulnerability["VulnerabilityID"].string()
                let severity = try vulnerability["Severity"].severity(of: id)
                let fixedVersion = try vulnerability["FixedVersion"].optionalString() ?? ""
                let status = try vulnerability["Status"].optionalString()
                findings.append(
                    Finding(
                        id: id, severity: severity, package: try vulnerability["PkgName"].optionalString() ?? "",
                        installedVersion: try vulnerability["InstalledVersion"].optionalString() ?? "",
                        fixable: !fixedVersion.isEmpty || status == "fixed", kind: .vulnerability))
            }
            // A secret in the image (`--scanners secret`, on by default) trips Trivy's own --exit-code too.
            for secret in try result["Secrets"].entries() {
                try secret.requireObject()
                let id = try secret["RuleID"].string()
                let severity = try secret["Severity"].severity(of: id)
                findings.append(
                    Finding(id: id, severity: severity, package: target, installedVersion: "", fixable: false, kind: .secret))
            }
        }
        let metadata = try top["Metadata"].optionalObject()
        let configDigest = try metadata?["ImageID"].optionalString().flatMap(Digest.init)
        let repoDigests = try metadata?["RepoDigests"].entries().map { entry throws(BerthError) in try entry.string() } ?? []
        let subject = Subject(
            name: try top["ArtifactName"].optionalString() ?? name, kind: try top["ArtifactType"].optionalString() ?? "unknown",
            configDigest: configDigest, manifestDigests: repoDigests.compactMap(digestSuffix))
        return (findings, subject, try top["CreatedAt"].optionalString().flatMap(RFC3339.seconds))
    }

    private static func grype(_ root: JSONValue, name: String) throws(BerthError) -> ([Finding], Subject, Double?) {
        let top = ReportCursor(value: root, path: "", report: name)
        var findings: [Finding] = []
        // Grype always writes `matches` (`[]` when none); `ignoredMatches` are never counted.
        for match in try top["matches"].entries(absentIsEmpty: false) {
            try match.requireObject()
            let vulnerability = match["vulnerability"]
            try vulnerability.requireObject()
            let id = try vulnerability["id"].string()
            let severity = try vulnerability["severity"].severity(of: id)
            let fix = try vulnerability["fix"].optionalObject()
            let artifact = try match["artifact"].optionalObject()
            findings.append(
                Finding(
                    id: id, severity: severity, package: try artifact?["name"].optionalString() ?? "",
                    installedVersion: try artifact?["version"].optionalString() ?? "",
                    fixable: try fix?["state"].optionalString() == "fixed", kind: .vulnerability))
        }
        let source = top["source"]
        try source.requireObject()
        var subject = Subject(
            name: name, kind: try source["type"].optionalString() ?? "unknown", configDigest: nil, manifestDigests: [])
        // An image's target is an object; other sources (`unknown`, a directory) may write a string.
        if source["target"].value?.stringValue == nil, let target = try source["target"].optionalObject() {
            subject.name = try target["userInput"].optionalString() ?? name
            subject.configDigest = try target["imageID"].optionalString().flatMap(Digest.init)
            if let manifest = try target["manifestDigest"].optionalString().flatMap(Digest.init) {
                subject.manifestDigests.append(manifest)
            }
            subject.manifestDigests += try target["repoDigests"].entries().map { entry throws(BerthError) in
                try entry.string()
            }.compactMap(digestSuffix)
        }
        let descriptor = try top["descriptor"].optionalObject()
        return (findings, subject, try descriptor?["timestamp"].optionalString().flatMap(RFC3339.seconds))
    }

    /// The digest of `repo@sha256:…`.
    private static func digestSuffix(_ reference: String) -> Digest? {
        reference.split(separator: "@").last.flatMap { Digest(String($0)) }
    }
}

/// A value in a report with its JSON path (`Results[0].Vulnerabilities[2].Severity`), read strictly: a
/// wrong type anywhere berth reads is an error naming the report and the path, never a skipped finding.
struct ReportCursor {
    /// nil: the member is absent.
    let value: JSONValue?
    let path: String
    let report: String
    /// How messages name the document (`report 'r.json'`), and what to do when it can't be read.
    var subject: String
    var remedy: String

    init(
        value: JSONValue?, path: String, report: String, subject: String? = nil,
        remedy: String = "produce it again with trivy --format json, grype -o json or Clair's vulnerability_report API"
    ) {
        self.value = value
        self.path = path
        self.report = report
        self.subject = subject ?? "report '\(report)'"
        self.remedy = remedy
    }

    subscript(key: String) -> ReportCursor {
        ReportCursor(
            value: value?[key], path: path.isEmpty ? key : "\(path).\(key)", report: report, subject: subject, remedy: remedy)
    }

    func fail(_ problem: String) -> BerthError {
        BerthError(
            .badInput,
            "\(subject): \(path.isEmpty ? "the document" : path) \(problem); berth can't read it completely, so it decides nothing: \(remedy)"
        )
    }

    /// A count: a whole number of zero or more; nil when absent or null.
    func count() throws(BerthError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)?:
            guard number >= 0, let exact = Int(exactly: number) else { throw fail("is \(number), not a count") }
            return exact
        default: throw wrongType("a count")
        }
    }

    /// `… is an object, not an array`, or `… is missing`.
    func wrongType(_ wanted: String) -> BerthError {
        let found: String
        switch value {
        case nil: return fail("is missing")
        case .null?: found = "null"
        case .bool?: found = "a boolean"
        case .integer?, .number?: found = "a number"
        case .string?: found = "a string"
        case .array?: found = "an array"
        case .object?: found = "an object"
        }
        return fail("is \(found), not \(wanted)")
    }

    /// An array's entries. Absent or null is no entries when `absentIsEmpty` (Trivy's `omitempty` lists).
    func entries(absentIsEmpty: Bool = true) throws(BerthError) -> [ReportCursor] {
        switch value {
        case .array(let items)?:
            return items.enumerated().map { index, item in
                ReportCursor(value: item, path: "\(path)[\(index)]", report: report, subject: subject, remedy: remedy)
            }
        case nil, .null?:
            guard absentIsEmpty else { throw wrongType("an array") }
            return []
        default: throw wrongType("an array")
        }
    }

    /// An object's members, sorted by key (a report's order is not the gate's business).
    func members() throws(BerthError) -> [(key: String, value: ReportCursor)] {
        guard case .object(let members)? = value else { throw wrongType("an object") }
        return members.keys.sorted().map { key in (key, self[key]) }
    }

    func requireObject() throws(BerthError) {
        guard case .object? = value else { throw wrongType("an object") }
    }

    /// This cursor when it is an object; nil when absent or null.
    func optionalObject() throws(BerthError) -> ReportCursor? {
        switch value {
        case .object?: return self
        case nil, .null?: return nil
        default: throw wrongType("an object")
        }
    }

    func string() throws(BerthError) -> String {
        guard case .string(let text)? = value else { throw wrongType("a string") }
        return text
    }

    /// The string; nil when absent or null.
    func optionalString() throws(BerthError) -> String? {
        switch value {
        case .string(let text)?: return text
        case nil, .null?: return nil
        default: throw wrongType("a string")
        }
    }

    /// A finding's severity, in any vocabulary `Severity(reported:)` knows; another word is refused.
    func severity(of id: String) throws(BerthError) -> Severity {
        let text = try string()
        guard let severity = Severity(reported: text) else {
            throw BerthError(
                .badInput,
                "report '\(report)': \(path) \(String(reflecting: text)) of \(id) is not a severity berth knows (\(Severity.reportedNames.map(\.name).joined(separator: ", "))); berth won't guess: fix the report or the scanner's severity source"
            )
        }
        return severity
    }
}
