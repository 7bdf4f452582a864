import BerthOCI
import Foundation

/// A store seen through a memory, for one run, of what content addressing makes immutable: a manifest
/// or blob read by digest is read once (reads of the same one at the same time share the request), a
/// manifest this run pushed is known by its digest, and a blob found or pushed isn't asked about again.
/// Tags are never remembered: every read of one goes to the store, as a read-modify-write needs. A
/// store that answered it has no referrers API isn't asked again.
///
/// Signing and attesting an index read the same manifests, configs and SBOMs from several subjects'
/// tasks (the verification first, then each subject's provenance): through this, each once. With `made`
/// (a build this process pushed whole to the store), what the build made is read from memory instead.
final class ContentCache: ReferrersListing, Sendable {
    let inner: any ImageStore
    let made: StagedImageStore?
    private let state = Locked(State())

    private struct Key: Hashable {
        let repository: String
        let digest: Digest
    }

    private struct State {
        var manifests: [Key: Task<ManifestDocument, any Error>] = [:]
        var blobs: [Key: Task<Data, any Error>] = [:]
        var present: [Key: Task<Bool, any Error>] = [:]
        /// Blobs made sure of (`ensureBlob`): asked about and pushed when missing, once.
        var ensured: [Key: Task<Void, any Error>] = [:]
        var resolved: [Key: Descriptor] = [:]
        /// The first referrers API call: its answer (nil: the store has no API, as Docker Distribution
        /// 2.8's 404 says) tells every later call whether to ask.
        var firstReferrers: Task<[Descriptor]?, any Error>?
    }

    init(_ inner: any ImageStore, made: StagedImageStore? = nil) {
        self.inner = inner
        self.made = made
    }

    var displayName: String { inner.displayName }

    func listTags(_ repository: String) async throws -> [String] { try await inner.listTags(repository) }

    func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        if let digest = Digest(reference), let document = made?.madeManifest(digest) { return document.descriptor }
        if let digest = Digest(reference),
            let task = state.withLock({ $0.manifests[Key(repository: repository, digest: digest)] }),
            let document = try? await task.value
        {
            return document.descriptor
        }
        guard let digest = Digest(reference) else { return try await inner.resolve(repository, reference: reference) }
        let key = Key(repository: repository, digest: digest)
        if let known = state.withLock({ $0.resolved[key] }) { return known }
        let found = try await inner.resolve(repository, reference: reference)
        if let found { state.withLock { $0.resolved[key] = found } }
        return found
    }

    func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        guard let digest = Digest(reference) else { return try await inner.fetchManifest(repository, reference: reference) }
        if let document = made?.madeManifest(digest) { return document }
        let key = Key(repository: repository, digest: digest)
        let inner = inner
        return try await shared(key, in: \.manifests) { try await inner.fetchManifest(repository, reference: reference) }
    }

    func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        if let data = made?.madeBlob(digest) { return data }
        let inner = inner
        return try await shared(Key(repository: repository, digest: digest), in: \.blobs) {
            try await inner.fetchBlob(repository, digest: digest)
        }
    }

    func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        let key = Key(repository: repository, digest: digest)
        let inner = inner
        let exists = try await shared(key, in: \.present) { try await inner.blobExists(repository, digest: digest) }
        // An absent blob is asked about again next time: this run may push it meanwhile.
        if !exists { state.withLock { $0.present[key] = nil } }
        return exists
    }

    /// Pushes `data` unless the store has it: once per run, however many ask at the same time (every
    /// referrer of every subject names the same empty config).
    func ensureBlob(_ repository: String, digest: Digest, data: Data) async throws {
        let inner = inner
        try await shared(Key(repository: repository, digest: digest), in: \.ensured) {
            if try await inner.blobExists(repository, digest: digest) { return }
            try await inner.pushBlob(repository, digest: digest, data: data)
        }
    }

    func pushBlob(_ repository: String, digest: Digest, data: Data) async throws {
        try await inner.pushBlob(repository, digest: digest, data: data)
        state.withLock { $0.present[Key(repository: repository, digest: digest)] = Task { true } }
    }

    func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws {
        try await inner.pushManifest(repository, reference: reference, manifest: manifest)
        let key = Key(repository: repository, digest: manifest.digest)
        state.withLock { state in
            if state.manifests[key] == nil { state.manifests[key] = Task { manifest } }
        }
    }

    func deleteManifest(_ repository: String, digest: Digest) async throws {
        state.withLock { state in
            state.manifests[Key(repository: repository, digest: digest)] = nil
            state.resolved[Key(repository: repository, digest: digest)] = nil
        }
        try await inner.deleteManifest(repository, digest: digest)
    }

    func deleteTag(_ repository: String, tag: String) async throws { try await inner.deleteTag(repository, tag: tag) }

    /// The inner store's referrers API, when it has one (nil otherwise, as a store without it answers).
    /// Once it said it has none, it isn't asked again this run: every list and link would ask first. Calls
    /// made while the first is out wait for its answer rather than ask at the same time.
    func referrers(_ repository: String, digest: Digest) async throws -> [Descriptor]? {
        guard let listing = inner as? any ReferrersListing else { return nil }
        let (first, isFirst) = state.withLock { state in
            if let first = state.firstReferrers { return (first, false) }
            let first = Task { try await listing.referrers(repository, digest: digest) }
            state.firstReferrers = first
            return (first, true)
        }
        guard isFirst else {
            // No API: nil. A first call that failed says nothing about the API: this one asks for itself.
            if case .success(nil) = await first.result { return nil }
            return try await listing.referrers(repository, digest: digest)
        }
        do { return try await first.value } catch {
            state.withLock { state in if state.firstReferrers == first { state.firstReferrers = nil } }
            throw error
        }
    }

    /// The value under `key`, fetched by `fetch` once; a failed fetch is forgotten, so a later read asks again.
    private func shared<Value: Sendable>(
        _ key: Key, in table: WritableKeyPath<State, [Key: Task<Value, any Error>]>,
        _ fetch: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let task = state.withLock { state in
            if let running = state[keyPath: table][key] { return running }
            let task = Task { try await fetch() }
            state[keyPath: table][key] = task
            return task
        }
        do { return try await task.value } catch {
            state.withLock { state in
                if state[keyPath: table][key] == task { state[keyPath: table][key] = nil }
            }
            throw error
        }
    }
}
