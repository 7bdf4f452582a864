import BerthOCI

import struct Foundation.Data
import class Foundation.JSONDecoder

/// Harbor's artifact as its API answers `GET /api/v2.0/projects/{project}/repositories/{repository}/
/// artifacts/{reference}?with_scan_overview=true` (api/v2.0/swagger.yaml `Artifact`), read for a gate: the
/// digest, an index's platform manifests (`references[].child_digest`), the config's labels
/// (`extra_attrs.config.Labels`), and the vulnerability scan's summary from `scan_overview`.
///
/// `scan_overview` is keyed by report media type (`application/vnd.security.vulnerability.report;
/// version=1.1`, or the older `application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0`);
/// each holds a `NativeReportSummary`. Read strictly: a wrong type at any field berth reads is `.badInput`
/// naming the field, never a skipped count.
public struct HarborArtifact: Sendable, Equatable {
    /// The report media types Harbor keys a vulnerability summary by, the one berth prefers first.
    public static let reportTypes = [
        "application/vnd.security.vulnerability.report; version=1.1",
        "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
    ]

    public let digest: Digest
    /// An index's platform manifests; empty for an image manifest.
    public let children: [Digest]
    /// The config's labels (the first platform's, for an index Harbor fills them for).
    public let labels: [String: String]
    /// The vulnerability scan's summary; nil when the artifact has none (never scanned).
    public let scan: ScanSummary?

    /// Reads Harbor's answer; `name` (`host/project/repo:tag`) is for messages.
    public init(parsing data: Data, name: String) throws(BerthError) {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw BerthError(
                .badInput, "Harbor's artifact '\(name)' is not JSON (a proxy's page, or a cut-short answer?): check --harbor-url")
        }
        let field = ReportCursor(
            value: root, path: "", report: name, subject: "Harbor's artifact '\(name)'",
            remedy: "check the Harbor URL and its version (API v2.0)")
        try field.requireObject()
        let text = try field["digest"].string()
        guard let digest = Digest(text) else { throw field["digest"].fail("is not a digest") }
        self.digest = digest
        var children: [Digest] = []
        for reference in try field["references"].entries() {
            let child = try reference["child_digest"].string()
            guard let childDigest = Digest(child) else { throw reference["child_digest"].fail("is not a digest") }
            children.append(childDigest)
        }
        self.children = children
        var labels: [String: String] = [:]
        if let config = try field["extra_attrs"].optionalObject()?["config"].optionalObject(),
            let members = try config["Labels"].optionalObject()?.value?.objectValue
        {
            for (key, value) in members { labels[key] = value.stringValue }
        }
        self.labels = labels
        scan = try Self.scan(field["scan_overview"])
    }

    /// The vulnerability summary of `scan_overview`, by the first report type Harbor keyed one under.
    static func scan(_ overview: ReportCursor) throws(BerthError) -> ScanSummary? {
        guard let overview = try overview.optionalObject() else { return nil }
        guard let key = reportTypes.first(where: { overview.value?[$0] != nil }) else { return nil }
        let report = overview[key]
        guard try report.optionalObject() != nil else { return nil }
        var counts: [String: Int] = [:]
        var total: Int?
        if let summary = try report["summary"].optionalObject() {
            total = try summary["total"].count()
            for (name, value) in try summary["summary"].optionalObject()?.members() ?? [] {
                guard let count = try value.count() else { continue }
                counts[name.lowercased(), default: 0] += count
            }
        }
        let status = try report["scan_status"].optionalString() ?? "missing"
        return ScanSummary(
            scanner: try report["scanner"].optionalObject()?["name"].optionalString() ?? "unknown", status: status,
            counts: counts, total: total, reportID: try report["report_id"].optionalString(),
            completed: try report["end_time"].optionalString().flatMap(RFC3339.seconds),
            completePercent: try report["complete_percent"].count())
    }

    /// The version berth or the image's labels name (`org.opencontainers.image.version`).
    public var version: String? { labels[AnnotationKey.version] }
    public var revision: String? { labels[AnnotationKey.revision] }

    /// What a gate may match: the artifact's digest and its platform manifests.
    public var identity: ImageIdentity {
        ImageIdentity(digest: digest, manifestDigests: Set(children), configDigests: [])
    }
}
