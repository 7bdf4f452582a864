import BerthOCI

/// Deletes one tag safely (its aliases survive) or, by digest, a manifest with all its tags: shown
/// first (`preview`), done by `run`. `berth registry rm`.
public struct ImageRemoval: Sendable {
    /// What would be deleted.
    public struct Plan: Sendable {
        public let reference: ImageReference
        public let digest: Digest
        /// `tag 'v1' (at sha256:…)` or `manifest sha256:… and every tag on it`.
        public let description: String
    }

    public let store: any ImageStore

    public init(store: any ImageStore) { self.store = store }

    public func preview(_ reference: ImageReference) async throws -> Plan {
        guard reference.tag != nil || reference.digest != nil else {
            throw BerthError(
                .usage, "'\(reference)' names no tag or digest; say which to delete (repo:tag or repo@sha256:…)")
        }
        guard let descriptor = try await store.resolve(reference.repository, reference: reference.reference) else {
            throw BerthError(.failure, "'\(reference)' does not exist; nothing to delete")
        }
        let description =
            reference.digest != nil
            ? "manifest \(descriptor.digest) and every tag on it"
            : "tag '\(reference.tag ?? "")' (at \(descriptor.digest.short))"
        return Plan(reference: reference, digest: descriptor.digest, description: description)
    }

    public func run(_ plan: Plan) async throws {
        if let digest = plan.reference.digest {
            try await store.deleteManifest(plan.reference.repository, digest: digest)
        } else if let tag = plan.reference.tag {
            try await store.deleteTag(plan.reference.repository, tag: tag)
        }
    }
}
