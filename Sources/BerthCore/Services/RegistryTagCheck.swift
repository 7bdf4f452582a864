import BerthOCI
import Foundation

/// Checks planned tags against what a registry already holds: an immutable (fixed) tag that exists at
/// another image is a conflict; at the same digest, or on an image built from the same commit (its
/// `org.opencontainers.image.revision` label), it's a re-run and fine. Floating tags are meant to move.
public struct RegistryTagCheck: Sendable {
    public let store: any ImageStore
    public let repository: String

    public init(store: any ImageStore, repository: String) {
        self.store = store
        self.repository = repository
    }

    /// Findings for `plan`'s fixed tags; `digest` is the built image's, when known.
    public func check(_ plan: TagPlan, revision: String, digest: Digest?) async throws -> [CheckFinding] {
        var findings: [CheckFinding] = []
        let place = "\(store.displayName)/\(repository)"
        for planned in plan.tags where planned.mobility == .fixed {
            let tag = planned.tag.value
            guard let existing = try await store.resolve(repository, reference: tag) else {
                findings.append(CheckFinding(check: "registry-tag", status: .pass, message: "tag '\(tag)' is free in \(place)"))
                continue
            }
            if let digest, existing.digest == digest {
                findings.append(
                    CheckFinding(
                        check: "registry-tag", status: .pass,
                        message: "tag '\(tag)' already points at \(digest.short) in \(place)"))
                continue
            }
            if digest == nil, try await ImageFacts.revision(of: existing.digest, repository: repository, store: store) == revision
            {
                findings.append(
                    CheckFinding(
                        check: "registry-tag", status: .pass,
                        message: "tag '\(tag)' in \(place) is an image of this commit (\(existing.digest.short))"))
                continue
            }
            findings.append(
                CheckFinding(
                    check: "registry-tag", status: .fail,
                    message:
                        "tag '\(tag)' already exists at \(existing.digest) in \(place); tags are immutable: bump the version, or pass --digest when re-pushing the same image"
                ))
        }
        return findings
    }
}
