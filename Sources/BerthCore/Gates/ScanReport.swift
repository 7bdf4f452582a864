import BerthOCI
import Foundation

/// A vulnerability scan report, Trivy (`SchemaVersion` 2) or Grype (`-o json`), reduced to what a gate
/// needs: the findings, the image it is about, and when it was made.
///
/// Neither tool writes totals, so findings are counted here. Grype's `ignoredMatches` are never counted;
/// Trivy omits `Results`/`Vulnerabilities` when empty.
public struct ScanReport: Sendable, Equatable {
    public enum Scanner: String, Sendable, Equatable { case trivy, grype }

    public struct Finding: Sendable, Equatable {
        public let id: String
        public let severity: Severity
        public let package: String
        public let installedVersion: String
        public let fixable: Bool
    }

    /// What the report says it scanned.
    public struct Subject: Sendable, Equatable {
        /// A name for messages (`ArtifactName`, `userInput`).
        public var name: String
        /// `container_image` / `image`, or what else (`repository`, `filesystem`, `directory`).
        public var kind: String
        /// The image's config digest (Trivy `Metadata.ImageID`, Grype `imageID`).
        public var configDigest: Digest?
        /// Manifest digests (Grype `manifestDigest`, and the digests of `RepoDigests`/`repoDigests`).
        public var manifestDigests: [Digest]
    }

    public let scanner: Scanner
    public let findings: [Finding]
    public let subject: Subject
    /// When the scan ran, seconds since the epoch; nil when the report doesn't say.
    public let created: Double?
    /// The SHA-256 of the report's bytes, recorded with the decision.
    public let digest: Digest

    /// Parses a report; anything else (truncated, not JSON, another tool's format) is bad input (exit 65).
    public init(parsing data: Data, name: String) throws(BerthError) {
        digest = Digest.sha256(of: data)
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw BerthError(
                .badInput,
                "report '\(name)' is not valid JSON (truncated or corrupt?): produce it again with trivy --format json or grype -o json"
            )
        }
        if root["SchemaVersion"] != nil, root["ArtifactName"] != nil || root["Results"] != nil {
            scanner = .trivy
            (findings, subject, created) = try Self.trivy(root, name: name)
        } else if root["matches"] != nil, root["source"] != nil {
            scanner = .grype
            (findings, subject, created) = try Self.grype(root, name: name)
        } else {
            throw BerthError(
                .badInput,
                "report '\(name)' is neither Trivy (SchemaVersion, Results) nor Grype (matches, source) JSON: pass a trivy --format json or grype -o json report"
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
        var findings: [Finding] = []
        for result in root["Results"]?.arrayValue ?? [] {
            guard result.objectValue != nil else { throw malformed(name, "a Results entry is not an object") }
            for vulnerability in result["Vulnerabilities"]?.arrayValue ?? [] {
                guard let id = vulnerability["VulnerabilityID"]?.stringValue,
                    let severity = vulnerability["Severity"]?.stringValue
                else {
                    throw malformed(name, "a vulnerability lacks VulnerabilityID or Severity")
                }
                let fixed =
                    !(vulnerability["FixedVersion"]?.stringValue ?? "").isEmpty || vulnerability["Status"]?.stringValue == "fixed"
                findings.append(
                    Finding(
                        id: id, severity: Severity(reported: severity), package: vulnerability["PkgName"]?.stringValue ?? "",
                        installedVersion: vulnerability["InstalledVersion"]?.stringValue ?? "", fixable: fixed))
            }
        }
        let metadata = root["Metadata"]
        let repoDigests = (metadata?["RepoDigests"]?.stringArray ?? []).compactMap(digestSuffix)
        let subject = Subject(
            name: root["ArtifactName"]?.stringValue ?? name, kind: root["ArtifactType"]?.stringValue ?? "unknown",
            configDigest: metadata?["ImageID"]?.stringValue.flatMap(Digest.init), manifestDigests: repoDigests)
        return (findings, subject, root["CreatedAt"]?.stringValue.flatMap(RFC3339.seconds))
    }

    private static func grype(_ root: JSONValue, name: String) throws(BerthError) -> ([Finding], Subject, Double?) {
        guard let matches = root["matches"]?.arrayValue else { throw malformed(name, "'matches' is not a list") }
        var findings: [Finding] = []
        for match in matches {
            guard let vulnerability = match["vulnerability"], let id = vulnerability["id"]?.stringValue,
                let severity = vulnerability["severity"]?.stringValue
            else { throw malformed(name, "a match lacks vulnerability.id or vulnerability.severity") }
            findings.append(
                Finding(
                    id: id, severity: Severity(reported: severity), package: match["artifact"]?["name"]?.stringValue ?? "",
                    installedVersion: match["artifact"]?["version"]?.stringValue ?? "",
                    fixable: vulnerability["fix"]?["state"]?.stringValue == "fixed"))
        }
        let source = root["source"]
        let target = source?["target"]
        var manifests: [Digest] = []
        if let manifest = target?["manifestDigest"]?.stringValue.flatMap(Digest.init) { manifests.append(manifest) }
        manifests += (target?["repoDigests"]?.stringArray ?? []).compactMap(digestSuffix)
        let subject = Subject(
            name: target?["userInput"]?.stringValue ?? name, kind: source?["type"]?.stringValue ?? "unknown",
            configDigest: target?["imageID"]?.stringValue.flatMap(Digest.init), manifestDigests: manifests)
        return (findings, subject, root["descriptor"]?["timestamp"]?.stringValue.flatMap(RFC3339.seconds))
    }

    private static func malformed(_ name: String, _ detail: String) -> BerthError {
        BerthError(.badInput, "report '\(name)' is malformed: \(detail); produce it again with the scanner's JSON output")
    }

    /// The digest of `repo@sha256:…`.
    private static func digestSuffix(_ reference: String) -> Digest? {
        reference.split(separator: "@").last.flatMap { Digest(String($0)) }
    }
}
