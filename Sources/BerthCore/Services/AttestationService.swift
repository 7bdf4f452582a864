import BerthOCI
import Foundation

/// Attaches signed in-toto attestations to an image by digest — SLSA provenance, the SBOM, the
/// vulnerability gate's verification summary — and optionally its signature, in one pass: each a
/// sigstore bundle v0.3 referrer (cosign v3's shape, the predicate type in
/// `dev.sigstore.bundle.predicateType`), and, with legacy tags on, cosign's `sha256-<hex>.att` tag
/// (one DSSE-envelope layer per attestation, `predicateType` annotation).
///
/// An index and every manifest it lists each get a provenance and a signature; each gets the SBOM that
/// is its own referrer (berth build attaches one per platform manifest) or the one given; the gate's
/// summary goes on the digest the gate judged. Subjects' blobs are pushed side by side (at most
/// `SigningService.concurrency` subjects at once: `stage`); once every subject's are in, a second pass
/// (`finish`) pushes the referrer manifests, links each subject's referrers with one write of its
/// fallback index and adds its attestations with one write of its `.att` tag, beside its `.sig` tag,
/// and one check, once the run's `RaceWindow` has stayed open long enough, then finds every entry
/// still in place. A run reads each manifest and blob by digest once (`ContentCache`).
public struct AttestationService: Sendable {
    public var signing: SigningService
    /// Each subject's SPDX referrer, read once per run (a subject's SBOM attestation and its index's provenance both read it).
    private var sboms: SBOMReads?

    public init(store: any ImageStore, signer: any ArtifactSigner, legacyTags: Bool = true) {
        signing = SigningService(store: store, signer: signer, legacyTags: legacyTags)
    }

    var store: any ImageStore { signing.store }

    /// Where the SBOM attestation comes from.
    public enum SBOMSource: Sendable, Equatable {
        /// Each subject's own SPDX referrer (what berth build attached); a subject without one gets none.
        case referrers
        /// This document (SPDX or CycloneDX JSON), about the digest asked for.
        case document(Data)
    }

    /// What to attach.
    public struct Request: Sendable {
        /// Sign every subject too (what `berth sign` writes).
        public var sign: Bool
        /// The provenance; what it leaves out (platforms, base image, source, version, modules) is read
        /// from each subject: its annotations, its config's labels, its SBOM referrer's Go modules.
        public var provenance: SLSAProvenance?
        public var sbom: SBOMSource?
        /// The gate's decision, attached to the digest asked for.
        public var vulnerabilities: VerificationSummary?
        /// What each subject already carries by this key (predicate types; `cosignSignPredicate` for a
        /// signature): not written again. `attestMissing` fills it from a verification.
        var present: [Digest: Set<String>] = [:]

        public init(
            sign: Bool = false, provenance: SLSAProvenance? = nil, sbom: SBOMSource? = nil,
            vulnerabilities: VerificationSummary? = nil
        ) {
            self.sign = sign
            self.provenance = provenance
            self.sbom = sbom
            self.vulnerabilities = vulnerabilities
        }
    }

    /// One attestation written.
    public struct Attested: Sendable, Equatable {
        public let subject: Digest
        /// `provenance`, `sbom`, `vulnerabilities`.
        public let name: String
        public let predicateType: String
        /// The referrer manifest holding the bundle.
        public let referrer: Digest
        /// The `.att` tag and the manifest it names, with legacy tags on.
        public let legacyTag: String?
        public let legacyManifest: Digest?
    }

    /// What a run wrote, and what it could not find to attest (one line each).
    public struct Outcome: Sendable, Equatable {
        public var signed: [SigningService.Signed]
        public var attested: [Attested]
        public var notes: [String]

        public init(signed: [SigningService.Signed], attested: [Attested], notes: [String]) {
            self.signed = signed
            self.attested = attested
            self.notes = notes
        }
    }

    public func attest(
        _ repository: String, digest: Digest, dockerReference: String, created: String, request: Request
    ) async throws -> Outcome {
        try await stage(repository, digest: digest, dockerReference: dockerReference, created: created, request: request)
            .finish()
    }

    /// A run's statements signed and every blob they need pushed, nothing that names them written yet:
    /// what `finish` completes. `berth build --sign` stages a digest new to the repository while the
    /// image is still being pushed (the subjects read from what the build made), so the uploads use the
    /// time the push spends waiting on its one-at-a-time requests.
    public struct Staged: Sendable {
        let run: AttestationService
        let repository: String
        let prepared: [PreparedSubject]

        /// `attest`'s second pass, once the subjects are in the store (`AttestationService.finish`).
        /// `whileSettling` runs once the shared tags are written, during the pause before the final
        /// check, which then also waits for it: `berth build` writes the image's tags there, on a
        /// registry otherwise idle, so they land after the signatures.
        public func finish(whileSettling: (@Sendable () async throws -> Void)? = nil) async throws -> Outcome {
            try await run.finish(self, whileSettling: whileSettling)
        }
    }

    /// The first of `attest`'s two passes: each subject's statements signed and their blobs (bundles,
    /// the `.sig` payload, the `.att` envelopes, the configs of fresh legacy tags) pushed, side by side.
    /// Needs the subjects readable: in the store, or made by the build this run reads from.
    public func stage(
        _ repository: String, digest: Digest, dockerReference: String, created: String, request: Request
    ) async throws -> Staged {
        let run = cached()
        let subjects = try await run.signing.subjects(repository, digest: digest, dockerReference: dockerReference)
        let top = subjects.first?.digest
        let prepared = try await mapConcurrently(subjects, limit: signing.concurrency) { subject in
            try await run.prepare(
                repository, subject: subject, isTop: subject.digest == top, dockerReference: dockerReference,
                created: created, request: request)
        }
        return Staged(run: run, repository: repository, prepared: prepared)
    }

    /// The second pass, once the subjects are in the store: every referrer manifest pushed, side by
    /// side; then the shared tags (fallback index, `.sig`, `.att`), `sharedTagConcurrency` at a time;
    /// then the final check (`SigningService.confirm`).
    func finish(_ staged: Staged, whileSettling: (@Sendable () async throws -> Void)? = nil) async throws -> Outcome {
        let (run, repository, prepared) = (staged.run, staged.repository, staged.prepared)
        let window = run.signing.raceWindow()
        let signing = run.signing
        try await forEachConcurrently(prepared.flatMap(\.referrers), limit: 2 * signing.concurrency) { referrer in
            try await signing.pushReferrer(repository, referrer)
        }
        let updates = prepared.flatMap { prepared in
            [SigningService.SharedTagUpdate.referrers(prepared.referrers.map(\.document))]
                + [prepared.signature, prepared.attestationTag].compactMap { $0.map { .legacy($0) } }
        }
        let legacyManifests = try await signing.writeSharedTags(repository, updates, window: window)
        let results = prepared.map { Self.result(of: $0, legacyManifests: legacyManifests) }
        async let settling: Void = { if let whileSettling { try await whileSettling() } }()
        // Nothing written (all of it there already, or nothing to attest): nothing to confirm, no pause.
        try await signing.confirm(repository, results.flatMap(\.written), window: window)
        try await settling
        return Outcome(
            signed: results.compactMap(\.signed), attested: results.flatMap(\.attested), notes: results.flatMap(\.notes))
    }

    /// As `attest`, but first verifies the digest with `verifier` (the signer's own public key) and writes
    /// only what it doesn't find: a subject already signed isn't signed again, an attestation of a
    /// predicate type already there isn't added again. A re-run, or `berth release` of a digest `berth
    /// build --sign` signed, writes nothing twice (and, with nothing missing, nothing at all: no pause).
    public func attestMissing(
        _ repository: String, digest: Digest, dockerReference: String, created: String, request: Request,
        verifier: any SignatureVerifier
    ) async throws -> Outcome {
        let run = cached()
        // What the attestations will read (SBOM referrers, configs) is read meanwhile, into the run's caches.
        async let warmed: Void = run.warm(repository, digest: digest, dockerReference: dockerReference, request: request)
        let report = try await VerificationService(store: run.store, verifier: verifier).verify(
            repository, digest: digest, reference: "\(dockerReference)@\(digest)")
        var present: [Digest: Set<String>] = [:]
        for finding in report.findings where finding.verdict.accepted {
            if finding.kind.isSignature {
                present[finding.subject, default: []].insert(TrustFormats.cosignSignPredicate)
            } else if let type = finding.predicateType {
                present[finding.subject, default: []].insert(type)
            }
        }
        var request = request
        request.present = present
        let sboms: Set<String> = [TrustFormats.spdxPredicate, TrustFormats.cycloneDXPredicate]
        let missing = report.subjects.contains { subject in
            let found = present[subject] ?? []
            let isTop = subject == digest
            let wantsSBOM =
                switch request.sbom {
                case .referrers: !report.indexes.contains(subject)
                case .document: isTop
                case nil: false
                }
            return (request.sign && !found.contains(TrustFormats.cosignSignPredicate))
                || (request.provenance != nil && !found.contains(TrustFormats.slsaProvenancePredicate))
                || (wantsSBOM && found.isDisjoint(with: sboms))
                || (isTop && request.vulnerabilities != nil && !found.contains(TrustFormats.verificationSummaryPredicate))
        }
        guard missing else {
            return Outcome(
                signed: [], attested: [],
                notes: ["\(digest) carries all of it by key \(signing.signer.keyID) already; nothing written"])
        }
        await warmed  // not awaited when nothing is missing: cancelled on return
        return try await run.attest(
            repository, digest: digest, dockerReference: dockerReference, created: created, request: request)
    }

    /// Reads what attesting `digest` will read (each subject's SPDX referrer, its provenance's manifests
    /// and config) into this run's caches; a read that fails here is made again, and reported, later.
    private func warm(_ repository: String, digest: Digest, dockerReference: String, request: Request) async {
        guard request.provenance != nil || request.sbom == .referrers,
            let subjects = try? await signing.subjects(repository, digest: digest, dockerReference: dockerReference)
        else { return }
        await withTaskGroup(of: Void.self) { group in
            for subject in subjects {
                if request.sbom == .referrers {
                    group.addTask { _ = try? await spdxReferrer(repository, subject: subject.digest) }
                }
                if let template = request.provenance {
                    group.addTask { _ = try? await provenance(repository, subject: subject, template: template) }
                }
            }
        }
    }

    /// This service for one run that reads what `build` made (pushed whole to the store before) from
    /// memory rather than from the store: `berth build --sign` signs what it just pushed.
    public func reading(made build: StagedImageStore) -> AttestationService {
        var run = self
        run.signing = signing.cached(made: build)
        run.sboms = SBOMReads()
        return run
    }

    /// This service reading through a `ContentCache` for one run (itself when it already does).
    func cached() -> AttestationService {
        guard sboms == nil else { return self }
        var run = self
        run.signing = signing.cached()
        run.sboms = SBOMReads()
        return run
    }

    struct SubjectResult: Sendable {
        var written: [SigningService.Written] = []
        var signed: SigningService.Signed?
        var attested: [Attested] = []
        var notes: [String] = []
    }

    /// One subject's statements signed and their blobs pushed (bundles, `.sig` payload, `.att` envelopes,
    /// the configs of fresh legacy tags), its referrer manifests and shared tags not yet written.
    struct PreparedSubject: Sendable {
        let subject: Digest
        let notes: [String]
        let sign: Bool
        let attestations: [Attestation]
        /// The signature's referrer first when `sign`, then one per attestation, in order; their
        /// manifests not pushed yet.
        let referrers: [SigningService.StagedReferrer]
        let signature: SigningService.PendingLegacy?
        let attestationTag: SigningService.PendingLegacy?
    }

    private func prepare(
        _ repository: String, subject: Descriptor, isTop: Bool, dockerReference: String, created: String, request: Request
    ) async throws -> PreparedSubject {
        var notes: [String] = []
        let present = request.present[subject.digest] ?? []
        let attestations = try await attestations(
            repository, subject: subject, isTop: isTop, request: request, notes: &notes
        ).filter { !present.contains($0.predicateType) }
        let sign = request.sign && !present.contains(TrustFormats.cosignSignPredicate)
        if request.sign && !sign { notes.append("\(subject.digest) is signed by this key already; not signed again") }
        // Every statement signed first; then the referrers' blobs, the .sig payload and the .att envelopes
        // pushed side by side.
        var bundles: [(bundle: Data, predicateType: String, envelope: Data?)] = []
        if sign {
            bundles.append((try signing.signer.signatureBundle(for: subject.digest), TrustFormats.cosignSignPredicate, nil))
        }
        for attestation in attestations {
            let signed = try signing.signer.attestation(attestation, about: subject.digest)
            bundles.append((signed.bundle, attestation.predicateType, signed.envelope))
        }
        let envelopes = bundles.compactMap(\.envelope)
        let layers = zip(attestations, envelopes).map { attestation, envelope in
            Descriptor(
                mediaType: TrustFormats.dsseEnvelopeMediaType, digest: .sha256(of: envelope), size: Int64(envelope.count),
                annotations: [TrustFormats.legacyPredicateTypeAnnotation: attestation.predicateType])
        }
        let signing = signing
        async let signature =
            sign && signing.legacyTags
            ? signing.prepareLegacySignature(repository, subject: subject.digest, dockerReference: dockerReference) : nil
        async let attestationTag =
            signing.legacyTags && !layers.isEmpty
            ? signing.prepareLegacy(
                repository, tag: TrustFormats.legacyAttestationTag(for: subject.digest), layers: layers, blobs: envelopes)
            : nil
        let referrers = try await mapConcurrently(bundles, limit: bundles.count) { entry in
            try await signing.stageReferrer(
                repository, subject: subject, bundle: entry.bundle, predicateType: entry.predicateType, created: created)
        }
        return PreparedSubject(
            subject: subject.digest, notes: notes, sign: sign, attestations: attestations, referrers: referrers,
            signature: try await signature, attestationTag: try await attestationTag)
    }

    /// What one prepared subject's run wrote, once its shared tags name `legacyManifests` (by tag).
    private static func result(of prepared: PreparedSubject, legacyManifests: [String: Digest]) -> SubjectResult {
        let legacySignature = prepared.signature.flatMap { legacyManifests[$0.tag] }
        let legacyAttestations = prepared.attestationTag.flatMap { legacyManifests[$0.tag] }
        var result = SubjectResult(notes: prepared.notes)
        let referrers = prepared.referrers.map(\.document)
        if prepared.sign, let signature = referrers.first {
            let signed = SigningService.Signed(
                subject: prepared.subject, referrer: signature.digest, legacyTag: prepared.signature?.tag,
                legacyManifest: legacySignature)
            result.signed = signed
            result.written.append(.init(signed: signed, referrer: signature, legacyLayer: prepared.signature?.layers.first))
        }
        let attestationReferrers = prepared.sign ? Array(referrers.dropFirst()) : referrers
        let legacyLayers = prepared.attestationTag?.layers ?? []
        for (index, (attestation, referrer)) in zip(prepared.attestations, attestationReferrers).enumerated() {
            let entry = SigningService.Signed(
                subject: prepared.subject, referrer: referrer.digest, legacyTag: prepared.attestationTag?.tag,
                legacyManifest: legacyAttestations)
            result.written.append(
                .init(signed: entry, referrer: referrer, legacyLayer: index < legacyLayers.count ? legacyLayers[index] : nil))
            result.attested.append(
                Attested(
                    subject: prepared.subject, name: attestation.name, predicateType: attestation.predicateType,
                    referrer: referrer.digest, legacyTag: prepared.attestationTag?.tag, legacyManifest: legacyAttestations))
        }
        return result
    }

    /// The attestations for one subject.
    private func attestations(
        _ repository: String, subject: Descriptor, isTop: Bool, request: Request, notes: inout [String]
    ) async throws -> [Attestation] {
        var attestations: [Attestation] = []
        if let template = request.provenance {
            attestations.append(try await provenance(repository, subject: subject, template: template).attestation)
        }
        switch request.sbom {
        case .document(let data) where isTop:
            attestations.append(try Self.sbomAttestation(data, source: "the SBOM given"))
        case .referrers:
            if let data = try await spdxReferrer(repository, subject: subject.digest) {
                attestations.append(try Self.sbomAttestation(data, source: "the SPDX referrer of \(subject.digest)"))
            } else {
                notes.append("sbom: \(subject.digest) has no SPDX referrer (berth build attaches one per platform manifest)")
            }
        default: break
        }
        if isTop, let summary = request.vulnerabilities { attestations.append(summary.attestation) }
        return attestations
    }

    /// An SBOM as an attestation: SPDX (`spdxVersion`) or CycloneDX (`bomFormat`) JSON, whole, as the predicate.
    public static func sbomAttestation(_ data: Data, source: String) throws -> Attestation {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: data), document.objectValue != nil else {
            throw BerthError(.badInput, "\(source) is not a JSON object; give an SPDX or CycloneDX JSON SBOM")
        }
        if document["spdxVersion"]?.stringValue != nil {
            return Attestation(name: "sbom", predicateType: TrustFormats.spdxPredicate, predicate: document)
        }
        if document["bomFormat"]?.stringValue == "CycloneDX" {
            return Attestation(name: "sbom", predicateType: TrustFormats.cycloneDXPredicate, predicate: document)
        }
        throw BerthError(.badInput, "\(source) is neither SPDX (spdxVersion) nor CycloneDX (bomFormat) JSON")
    }

    /// The bytes of `subject`'s SPDX referrer, the newest when there are several; nil when it has none.
    private func spdxReferrer(_ repository: String, subject: Digest) async throws -> Data? {
        guard let sboms else { return try await readSPDXReferrer(repository, subject: subject) }
        let task = sboms.tasks.withLock { tasks in
            if let running = tasks[subject] { return running }
            let task = Task { try await readSPDXReferrer(repository, subject: subject) }
            tasks[subject] = task
            return task
        }
        do { return try await task.value } catch {
            sboms.tasks.withLock { tasks in if tasks[subject] == task { tasks[subject] = nil } }
            throw error
        }
    }

    private func readSPDXReferrer(_ repository: String, subject: Digest) async throws -> Data? {
        let listed: [Descriptor]
        if let made = (store as? ContentCache)?.made, made.madeManifest(subject) != nil {
            // What berth build made carries the SBOM it made: from memory, not looked up in the registry again.
            listed = made.madeReferrers(of: subject)
        } else {
            listed = try await Referrers(store: store).list(repository, subject: subject)
        }
        let entries = listed.filter { $0.artifactType == SPDXDocument.mediaType }
        guard let entry = entries.last else { return nil }
        let manifest = try await store.fetchManifest(repository, reference: entry.digest.description).manifest()
        guard let layer = manifest.layers.first(where: { $0.mediaType == SPDXDocument.mediaType }) else { return nil }
        guard layer.size <= 64 << 20 else {
            throw BerthError(.badInput, "the SBOM of \(subject) is \(layer.size) bytes, over the 64 MiB berth attests")
        }
        return try await store.fetchBlob(repository, digest: layer.digest)
    }

    /// `template` completed from `subject`: platforms, base image, source and version, Go modules.
    private func provenance(_ repository: String, subject: Descriptor, template: SLSAProvenance) async throws
        -> SLSAProvenance
    {
        var provenance = template
        let document = try await store.fetchManifest(repository, reference: subject.digest.description)
        var annotations: [String: String]
        var children: [Descriptor] = []
        var platforms: [String] = []
        if document.isIndex {
            let index = try document.index()
            annotations = index.annotations ?? [:]
            children = index.manifests.filter { MediaType.isManifest($0.mediaType) }
            platforms = children.compactMap { $0.platform?.description }
        } else {
            annotations = try document.manifest().annotations ?? [:]
        }
        let config = try await config(repository, document: document, firstChild: children.first)
        let labels = config?.labels ?? [:]
        if !document.isIndex, let os = config?.os, let architecture = config?.architecture {
            let variant = config?.variant
            platforms = [Platform(architecture: architecture, os: os, variant: variant).description]
        }
        if provenance.platforms.isEmpty { provenance.platforms = platforms }
        if provenance.baseImage == nil, let name = annotations[AnnotationKey.baseName],
            let digest = annotations[AnnotationKey.baseDigest].flatMap(Digest.init)
        {
            provenance.baseImage = .init(name: name, digest: digest)
        }
        // What the caller gave wins; the image's labels fill the rest.
        if let label = labels[AnnotationKey.source], provenance.source?.repository.isEmpty ?? true {
            provenance.source = .init(repository: label, commit: provenance.source?.commit, ref: provenance.source?.ref)
        }
        if let revision = labels[AnnotationKey.revision], provenance.source?.commit == nil {
            if provenance.source == nil { provenance.source = .init(repository: "") }
            provenance.source?.commit = revision
        }
        if provenance.version == nil { provenance.version = labels[AnnotationKey.version] }
        if provenance.modules.isEmpty, provenance.goVersion == nil {
            var modules: [GoBuildInfo.Module] = []
            var goVersion: String?
            for digest in [subject.digest] + children.map(\.digest) {
                guard let data = try await spdxReferrer(repository, subject: digest) else { continue }
                let found = Self.goModules(inSPDX: data)
                goVersion = goVersion ?? found.goVersion
                for module in found.modules where !modules.contains(module) { modules.append(module) }
            }
            if goVersion != nil || !modules.isEmpty {
                provenance.goVersion = goVersion
                provenance.modules = modules
                provenance.modulesSource = "sbom"
            }
        }
        return provenance
    }

    /// The image config of `document`, or of an index's first manifest; nil for an artifact.
    private func config(_ repository: String, document: ManifestDocument, firstChild: Descriptor?) async throws
        -> ImageConfig?
    {
        var manifestDocument = document
        if document.isIndex {
            guard let firstChild else { return nil }
            manifestDocument = try await store.fetchManifest(repository, reference: firstChild.digest.description)
        }
        let config = try manifestDocument.manifest().config
        guard config.mediaType != MediaType.ociEmpty, config.size <= 1 << 20 else { return nil }
        return try? ImageConfig.parse(try await store.fetchBlob(repository, digest: config.digest))
    }

    /// The Go toolchain and modules berth's SPDX SBOM lists (its `stdlib` package and `pkg:golang/` purls).
    static func goModules(inSPDX data: Data) -> (goVersion: String?, modules: [GoBuildInfo.Module]) {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: data),
            let packages = document["packages"]?.arrayValue
        else { return (nil, []) }
        var goVersion: String?
        var modules: [GoBuildInfo.Module] = []
        for package in packages {
            guard let name = package["name"]?.stringValue, let version = package["versionInfo"]?.stringValue,
                package["primaryPackagePurpose"]?.stringValue == "LIBRARY"
            else { continue }
            if name == "stdlib" {
                goVersion = version
            } else {
                modules.append(GoBuildInfo.Module(path: name, version: version))
            }
        }
        return (goVersion, modules)
    }
}

/// The SPDX referrers one run read, by subject (the fallback index is a tag the content cache doesn't keep).
private final class SBOMReads: Sendable {
    let tasks = Locked<[Digest: Task<Data?, any Error>]>([:])
}
