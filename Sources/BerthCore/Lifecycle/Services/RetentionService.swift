import BerthOCI

/// A prune plan for one repository, and the store it applies to.
public struct RetentionPreview: Sendable {
    public let repository: String
    public let plan: RetentionPlan
    let store: any ImageStore
    let storeRepository: String
}

/// Plans the removal of old tags under the retention rules (`RetentionPlanner`) and carries it out:
/// each tag removed with the safe single-tag delete, a store that can collect garbage (a layout)
/// collected, the prune recorded.
public struct RetentionService: Sendable {
    public let dependencies: LifecycleDependencies
    public let environments: [EnvironmentPolicy]
    public let tagPrefix: String

    public init(_ dependencies: LifecycleDependencies, environments: [EnvironmentPolicy], tagPrefix: String) {
        self.dependencies = dependencies
        self.environments = environments
        self.tagPrefix = tagPrefix
    }

    public func preview(repository: String, policy: RetentionPolicy) async throws -> RetentionPreview {
        let (reference, store) = try dependencies.repository(repository)
        let ledger = dependencies.ledger
        let (tags, indexes) = try await Self.resolveTags(store: store, repository: reference.repository)
        let children = try await Self.children(of: indexes, store: store, repository: reference.repository)
        var environmentDigests = Set(try await ledger.status(repository: repository).compactMap(\.digest))
        for environment in environments {
            let recent = try await ledger.events(
                LedgerQuery(
                    repository: repository, environment: environment.name, kinds: environmentChangingKinds,
                    limit: policy.keepPromotions))
            environmentDigests.formUnion(recent.compactMap(\.digest))
        }
        var ages: [String: Double] = [:]
        for event in try await ledger.events(LedgerQuery(repository: repository, kinds: [.released, .promoted])) {
            for tag in TagList.parse(event.details[DetailKey.tags]) where ages[tag] == nil { ages[tag] = event.time }
        }
        let plan = RetentionPlanner.plan(
            tags: tags, prefix: tagPrefix, policy: policy, environmentDigests: environmentDigests, ages: ages,
            children: children, now: dependencies.time.now())
        return RetentionPreview(repository: repository, plan: plan, store: store, storeRepository: reference.repository)
    }

    /// Deletes what the plan lists; returns the `pruned` event, nil when nothing was deleted.
    @discardableResult
    public func run(_ preview: RetentionPreview) async throws -> LedgerEvent? {
        try await dependencies.ledger.checkWritable()
        for entry in preview.plan.delete { try await preview.store.deleteTag(preview.storeRepository, tag: entry.tag) }
        if let collecting = preview.store as? any GarbageCollecting { try await collecting.garbageCollect() }
        guard !preview.plan.delete.isEmpty else { return nil }
        return try await dependencies.ledger.append(
            LedgerEvent(
                kind: .pruned, repository: preview.repository, actor: dependencies.actor, time: dependencies.time.now(),
                reason: "\(preview.plan.delete.count) tags past retention",
                details: [DetailKey.tags: TagList.join(preview.plan.delete.map(\.tag))]))
    }

    /// Every tag of the repository and the digest it names, a few requests at a time; and the digests
    /// that are indexes (platforms, referrers fallback indexes).
    static func resolveTags(store: any ImageStore, repository: String) async throws -> ([String: String], Set<Digest>) {
        let names = try await store.listTags(repository)
        let collected = Locked<([String: String], Set<Digest>)>(([:], []))
        try await forEachConcurrently(names, limit: 8) { tag in
            if let descriptor = try await store.resolve(repository, reference: tag) {
                collected.withLock {
                    $0.0[tag] = descriptor.digest.description
                    if MediaType.isIndex(descriptor.mediaType) { $0.1.insert(descriptor.digest) }
                }
            }
        }
        return collected.current
    }

    /// What each index lists, so an image's platforms and referrers are kept or deleted with it.
    static func children(of indexes: Set<Digest>, store: any ImageStore, repository: String) async throws -> [String: [String]] {
        let collected = Locked<[String: [String]]>([:])
        try await forEachConcurrently(Array(indexes), limit: 8) { digest in
            let document = try await store.fetchManifest(repository, reference: digest.description)
            guard document.isIndex else { return }
            let listed = try document.index().manifests.map(\.digest.description)
            collected.withLock { $0[digest.description] = listed }
        }
        return collected.current
    }
}
