import BerthOCI

import struct Foundation.Data

/// What a registry webhook says happened, whatever sent it (Docker Distribution, Harbor, GitHub): a hint
/// to check against the registry, never a fact on its own.
public struct RegistryEvent: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable, CaseIterable {
        /// A manifest or index was pushed (with a tag when the push named one).
        case push
        /// A manifest (by digest) or a tag was deleted.
        case delete
        /// A vulnerability scan of the digest finished (Harbor), with its summary.
        case scanCompleted = "scan-completed"
        /// A scan of the digest failed or was stopped (Harbor).
        case scanFailed = "scan-failed"
    }

    public var action: Action
    /// `host[:port]/path`, as berth names repositories.
    public var repository: String
    public var digest: Digest?
    public var tag: String?
    public var mediaType: String?
    /// The manifests an index push names (Distribution's `target.references`): pushed just before it.
    public var references: [Digest]
    /// Who did it, as the registry says (a user, a robot account); nil when it doesn't.
    public var actor: String?
    /// A scan's result (scan-completed only).
    public var scan: ScanSummary?

    public init(
        action: Action, repository: String, digest: Digest? = nil, tag: String? = nil, mediaType: String? = nil,
        references: [Digest] = [], actor: String? = nil, scan: ScanSummary? = nil
    ) {
        self.action = action
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.mediaType = mediaType
        self.references = references
        self.actor = actor
        self.scan = scan
    }

    /// What the verifier coalesces on: the action and the repository with the tag and the digest (and a
    /// scan's report: two scans of one digest are two decisions). The tag is part of it: a release pushes
    /// one digest under several tags at once, and the check of one tag says nothing of where the others point.
    public var hintKey: String {
        "\(action.rawValue):\(repository)" + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
            + (scan?.reportID.map { "#\($0.prefix(120))" } ?? "")
    }

    /// `push 127.0.0.1:5000/demo/app:v1@sha256:0123…`, for pages and logs.
    public var summary: String {
        "\(action.rawValue) \(repository)" + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0.short)" } ?? "")
    }
}

/// A registry's vulnerability scan, as a count per severity (Harbor's scan overview).
public struct ScanSummary: Hashable, Sendable, Codable {
    /// `Trivy`, `Clair`, … as the registry names it.
    public var scanner: String
    /// `Success`, `Error`, `Stopped`, … (Harbor's `scan_status`).
    public var status: String
    /// Findings per severity name (`critical`, `high`, …); severities not listed are none.
    public var counts: [String: Int]
    public var total: Int?
    /// The registry's id of the report.
    public var reportID: String?
    /// When the scan ended, seconds since the epoch.
    public var completed: Double?
    /// How much of the scan finished, 0–100 (Harbor's `complete_percent`: an index's scan is `Success`
    /// once one platform's is, so less than 100 means platforms went unscanned); nil when not told.
    public var completePercent: Int?

    public init(
        scanner: String, status: String, counts: [String: Int], total: Int? = nil, reportID: String? = nil,
        completed: Double? = nil, completePercent: Int? = nil
    ) {
        self.scanner = scanner
        self.status = status
        self.counts = counts
        self.total = total
        self.reportID = reportID
        self.completed = completed
        self.completePercent = completePercent
    }

    /// What a gate decision records as its report: the scanner, the registry's report id and the image,
    /// hashed, so the webhook and `berth gate --harbor` name one report alike. `fallback` stands in for a
    /// missing report id.
    public func reportDigest(of image: Digest, fallback: Data) -> Digest {
        let id = reportID ?? Digest.sha256(of: fallback).description
        return Digest.sha256(of: Data("\(scanner)\n\(id)\n\(image)".utf8))
    }

    /// The counts by `Severity`.
    public var severities: [Severity: Int] {
        var result: [Severity: Int] = [:]
        for (name, count) in counts {
            if let severity = Severity(reported: name) { result[severity, default: 0] += count }
        }
        return result
    }
}
