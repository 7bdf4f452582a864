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
/// summary goes on the digest the gate judged. Subjects are written side by side; the referrers of one
/// subject are linked with one write of its fallback index, its attestations with one write of its
/// `.att` tag, and one pause (`SigningService.settle`) then checks every entry is still in place.
public struct AttestationService: Sendable {
    public var signing: SigningService

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
        let subjects = try await signing.subjects(repository, digest: digest, dockerReference: dockerReference)
        let results = try await withThrowingTaskGroup(of: (Int, SubjectResult).self) { group in
            for (position, subject) in subjects.enumerated() {
                group.addTask {
                    let result = try await attest(
                        repository, subject: subject, isTop: position == 0, dockerReference: dockerReference,
                        created: created, request: request)
                    return (position, result)
                }
            }
            var results: [(Int, SubjectResult)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let written = results.flatMap(\.written)
        // Nothing written (all of it there already, or nothing to attest): nothing to confirm, no pause.
        if !written.isEmpty { try await signing.confirm(repository, written) }
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
        let report = try await VerificationService(store: store, verifier: verifier).verify(
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
        return try await attest(repository, digest: digest, dockerReference: dockerReference, created: created, request: request)
    }

    struct SubjectResult: Sendable {
        var written: [SigningService.Written] = []
        var signed: SigningService.Signed?
        var attested: [Attested] = []
        var notes: [String] = []
    }

    private func attest(
        _ repository: String, subject: Descriptor, isTop: Bool, dockerReference: String, created: String, request: Request
    ) async throws -> SubjectResult {
        var result = SubjectResult()
        let present = request.present[subject.digest] ?? []
        let attestations = try await attestations(
            repository, subject: subject, isTop: isTop, request: request, notes: &result.notes
        ).filter { !present.contains($0.predicateType) }
        let sign = request.sign && !present.contains(TrustFormats.cosignSignPredicate)
        if request.sign && !sign { result.notes.append("\(subject.digest) is signed by this key already; not signed again") }
        var referrers: [ManifestDocument] = []
        var layers: [Descriptor] = []
        var signature: ManifestDocument?
        if sign {
            let referrer = try await signing.writeReferrer(
                repository, subject: subject, bundle: signing.signer.signatureBundle(for: subject.digest),
                predicateType: TrustFormats.cosignSignPredicate, created: created, link: false)
            referrers.append(referrer)
            signature = referrer
        }
        for attestation in attestations {
            let signed = try signing.signer.attestation(attestation, about: subject.digest)
            referrers.append(
                try await signing.writeReferrer(
                    repository, subject: subject, bundle: signed.bundle, predicateType: attestation.predicateType,
                    created: created, link: false))
            let layer = Descriptor(
                mediaType: TrustFormats.dsseEnvelopeMediaType, digest: .sha256(of: signed.envelope),
                size: Int64(signed.envelope.count),
                annotations: [TrustFormats.legacyPredicateTypeAnnotation: attestation.predicateType])
            if signing.legacyTags { try await signing.pushBlobIfAbsent(repository, signed.envelope, digest: layer.digest) }
            layers.append(layer)
        }
        try await Referrers(store: store).link(referrers, in: repository)

        if let signature {
            var tag: String?
            var layer: Descriptor?
            var manifest: Digest?
            if signing.legacyTags {
                let legacy = try await signing.writeLegacy(repository, subject: subject.digest, dockerReference: dockerReference)
                (tag, layer, manifest) = (legacy.0, legacy.1, legacy.2)
            }
            let signed = SigningService.Signed(
                subject: subject.digest, referrer: signature.digest, legacyTag: tag, legacyManifest: manifest)
            result.signed = signed
            result.written.append(.init(signed: signed, referrer: signature, legacyLayer: layer))
        }
        let attTag = TrustFormats.legacyAttestationTag(for: subject.digest)
        var attManifest: Digest?
        if signing.legacyTags, !layers.isEmpty {
            attManifest = try await signing.appendLegacy(repository, tag: attTag, layers: layers)
        }
        let attestationReferrers = sign ? Array(referrers.dropFirst()) : referrers
        for ((attestation, referrer), layer) in zip(zip(attestations, attestationReferrers), layers) {
            let legacyTag = signing.legacyTags ? attTag : nil
            let entry = SigningService.Signed(
                subject: subject.digest, referrer: referrer.digest, legacyTag: legacyTag, legacyManifest: attManifest)
            result.written.append(.init(signed: entry, referrer: referrer, legacyLayer: signing.legacyTags ? layer : nil))
            result.attested.append(
                Attested(
                    subject: subject.digest, name: attestation.name, predicateType: attestation.predicateType,
                    referrer: referrer.digest, legacyTag: legacyTag, legacyManifest: attManifest))
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
        let entries = try await Referrers(store: store).list(repository, subject: subject)
            .filter { $0.artifactType == SPDXDocument.mediaType }
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
