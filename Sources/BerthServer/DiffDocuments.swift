import BerthCore

/// `GET /api/v1/diff`'s JSON (docs/openapi.yaml's `Diff`): a field a side lacks is left out.
enum DiffDocuments {
    struct Diff: Encodable {
        let repository: String
        let from: Side
        let to: Side
        let sameDigest: Bool
        /// Nil when `commitsUnavailable` says why.
        let commits: Commits?
        let commitsUnavailable: String?
        let labels: [Label]
        let vulnerabilities: [Vulnerability]
    }

    struct Side: Encodable {
        let name: String
        let environment: String?
        let version: String?
        let digest: String?
        let gitSHA: String?
        let labels: [String: String]?
        let labelsUnavailable: String?
        let gate: APIDocuments.Gate?
    }

    /// What moving from → to brings (`added`) and takes away (`removed`), by Conventional Commits type.
    struct Commits: Encodable {
        let added: [Changelog.Section]
        let removed: [Changelog.Section]
    }

    struct Label: Encodable {
        let key: String
        let from: String?
        let to: String?
    }

    struct Vulnerability: Encodable {
        let severity: String
        let from: Int?
        let to: Int?
        let change: Int?
    }

    static func diff(_ diff: ReleaseDiff) -> Diff {
        var commits: Commits?
        if let added = diff.added, let removed = diff.removed {
            commits = Commits(added: added.sections, removed: removed.sections)
        }
        return Diff(
            repository: diff.repository, from: side(diff.from), to: side(diff.to), sameDigest: diff.sameDigest,
            commits: commits, commitsUnavailable: diff.commitsUnavailable,
            labels: diff.labelChanges.map { Label(key: $0.key, from: $0.from, to: $0.to) },
            vulnerabilities: diff.vulnerabilities.map {
                Vulnerability(severity: $0.severity.description, from: $0.from, to: $0.to, change: $0.change)
            })
    }

    static func side(_ side: ReleaseDiff.Side) -> Side {
        Side(
            name: side.name, environment: side.environment, version: side.version, digest: side.digest, gitSHA: side.gitSHA,
            labels: side.labels, labelsUnavailable: side.labelsUnavailable, gate: side.gate.map(APIDocuments.gate))
    }
}
