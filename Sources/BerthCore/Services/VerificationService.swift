import BerthOCI
import Foundation

/// Finds the signatures attached to an image by digest (sigstore bundles among its referrers, cosign's
/// legacy `sha256-<hex>.sig` tag) and checks each against a trusted key. Reads the store only.
///
/// An index is verified when it and every manifest it lists each carry at least one accepted signature:
/// a signed index alone doesn't vouch for a platform image pulled by its own digest.
public struct VerificationService: Sendable {
    public let store: any ImageStore
    public let verifier: any SignatureVerifier

    public init(store: any ImageStore, verifier: any SignatureVerifier) {
        self.store = store
        self.verifier = verifier
    }

    /// One signature found, and what the verifier made of it.
    public struct Finding: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case sigstoreBundle = "sigstore-bundle", legacyCosign = "cosign-legacy"
            /// An attestation in a sigstore bundle referrer, and one in cosign's legacy `.att` tag.
            case attestation = "attestation", legacyAttestation = "cosign-legacy-attestation"

            public var isSignature: Bool { self == .sigstoreBundle || self == .legacyCosign }
        }
        public let kind: Kind
        /// The digest it claims to sign.
        public let subject: Digest
        /// Where it was found: the referrer manifest, or the legacy tag.
        public let location: String
        public let verdict: SignatureVerdict
        /// An attestation's predicate type (the statement's once verified, else the annotation's).
        public var predicateType: String? = nil
        /// An accepted attestation's predicate, for a policy to read.
        public var predicate: JSONValue? = nil
    }

    /// Every subject checked and every signature found.
    public struct Report: Sendable, Equatable {
        public let subjects: [Digest]
        public let findings: [Finding]
        /// The subjects that are indexes (the digest asked for, when it is one).
        public var indexes: Set<Digest> = []

        /// The subjects without an accepted signature.
        public var unsigned: [Digest] {
            subjects.filter { subject in
                !findings.contains { $0.subject == subject && $0.kind.isSignature && $0.verdict.accepted }
            }
        }

        /// The accepted attestations of `predicateType` on `subject`.
        public func attestations(_ predicateType: String, on subject: Digest) -> [Finding] {
            findings.filter {
                $0.subject == subject && !$0.kind.isSignature && $0.verdict.accepted && $0.predicateType == predicateType
            }
        }
        public var verified: Bool { unsigned.isEmpty }
    }

    public func verify(_ repository: String, digest: Digest, reference: String) async throws -> Report {
        guard try await store.resolve(repository, reference: digest.description) != nil else {
            throw BerthError(.failure, "'\(reference)' does not exist in \(store.displayName); check the digest")
        }
        let document = try await store.fetchManifest(repository, reference: digest.description)
        var subjects = [digest]
        if document.isIndex {
            subjects += try document.index().manifests.filter {
                MediaType.isManifest($0.mediaType) || MediaType.isIndex($0.mediaType)
            }.map(\.digest)
        }
        // The subjects side by side, and each one's referrers and two legacy tags side by side; the
        // findings in the order one read after another would give.
        let findings = try await mapConcurrently(subjects, limit: 4) { subject in
            async let bundles = bundles(repository, subject: subject)
            async let legacy = legacy(repository, subject: subject)
            async let attestations = legacyAttestations(repository, subject: subject)
            return try await bundles + legacy + attestations
        }.flatMap { $0 }
        return Report(subjects: subjects, findings: findings, indexes: document.isIndex ? [digest] : [])
    }

    private func bundles(_ repository: String, subject: Digest) async throws -> [Finding] {
        var findings: [Finding] = []
        for entry in try await Referrers(store: store).list(repository, subject: subject)
        where entry.artifactType == TrustFormats.bundleMediaType || entry.artifactType == nil {
            let referrer = try await store.fetchManifest(repository, reference: entry.digest.description)
            guard MediaType.isManifest(referrer.mediaType) else { continue }
            let manifest = try referrer.manifest()
            guard (manifest.artifactType ?? manifest.config.mediaType) == TrustFormats.bundleMediaType else { continue }
            let location = referrer.digest.description
            guard manifest.subject?.digest == subject else {
                findings.append(
                    Finding(
                        kind: .sigstoreBundle, subject: subject, location: location,
                        verdict: SignatureVerdict(
                            accepted: false,
                            reason:
                                "the referrer's subject is \(manifest.subject?.digest.description ?? "missing"), not this digest")
                    ))
                continue
            }
            let annotated = manifest.annotations?[TrustFormats.bundlePredicateTypeAnnotation]
            let isAttestation = annotated != nil && annotated != TrustFormats.cosignSignPredicate
            for layer in manifest.layers where layer.mediaType == TrustFormats.bundleMediaType {
                let limit = isAttestation ? Self.maximumAttestationSize : Self.maximumDocumentSize
                guard layer.size <= limit else {
                    findings.append(
                        Finding(
                            kind: isAttestation ? .attestation : .sigstoreBundle, subject: subject, location: location,
                            verdict: SignatureVerdict(
                                accepted: false,
                                reason: "the bundle is \(layer.size) bytes, over the \(limit >> 20) MiB berth reads"),
                            predicateType: annotated))
                    continue
                }
                let bytes = try await store.fetchBlob(repository, digest: layer.digest)
                if isAttestation {
                    let checked = verifier.checkAttestation(bytes, subject: subject)
                    findings.append(
                        Finding(
                            kind: .attestation, subject: subject, location: location, verdict: checked.verdict,
                            predicateType: checked.predicateType ?? annotated, predicate: checked.predicate))
                } else {
                    findings.append(
                        Finding(
                            kind: .sigstoreBundle, subject: subject, location: location,
                            verdict: verifier.checkBundle(bytes, subject: subject)))
                }
            }
        }
        return findings
    }

    private func legacy(_ repository: String, subject: Digest) async throws -> [Finding] {
        let tag = TrustFormats.legacySignatureTag(for: subject)
        guard let document = try await tagged(repository, tag) else { return [] }
        guard MediaType.isManifest(document.mediaType) else { return [] }
        var findings: [Finding] = []
        for layer in try document.manifest().layers where layer.mediaType == TrustFormats.simpleSigningMediaType {
            let verdict: SignatureVerdict
            if let signature = layer.annotations?[TrustFormats.signatureAnnotation] {
                if layer.size > Self.maximumDocumentSize {
                    verdict = SignatureVerdict(
                        accepted: false, reason: "the payload is \(layer.size) bytes, over the 1 MiB berth reads")
                } else {
                    let payload = try await store.fetchBlob(repository, digest: layer.digest)
                    verdict = verifier.checkSimpleSignature(
                        SimpleSignature(payload: payload, signature: signature), subject: subject)
                }
            } else {
                verdict = SignatureVerdict(
                    accepted: false, reason: "the layer has no \(TrustFormats.signatureAnnotation) annotation")
            }
            findings.append(Finding(kind: .legacyCosign, subject: subject, location: tag, verdict: verdict))
        }
        return findings
    }

    /// The attestations in cosign's legacy `sha256-<hex>.att` tag: one DSSE envelope per layer.
    private func legacyAttestations(_ repository: String, subject: Digest) async throws -> [Finding] {
        let tag = TrustFormats.legacyAttestationTag(for: subject)
        guard let document = try await tagged(repository, tag) else { return [] }
        guard MediaType.isManifest(document.mediaType) else { return [] }
        var findings: [Finding] = []
        for layer in try document.manifest().layers where layer.mediaType == TrustFormats.dsseEnvelopeMediaType {
            let annotated = layer.annotations?[TrustFormats.legacyPredicateTypeAnnotation]
            guard layer.size <= Self.maximumAttestationSize else {
                findings.append(
                    Finding(
                        kind: .legacyAttestation, subject: subject, location: tag,
                        verdict: SignatureVerdict(
                            accepted: false, reason: "the envelope is \(layer.size) bytes, over the 64 MiB berth reads"),
                        predicateType: annotated))
                continue
            }
            let checked = verifier.checkAttestationEnvelope(
                try await store.fetchBlob(repository, digest: layer.digest), subject: subject)
            findings.append(
                Finding(
                    kind: .legacyAttestation, subject: subject, location: tag, verdict: checked.verdict,
                    predicateType: checked.predicateType ?? annotated, predicate: checked.predicate))
        }
        return findings
    }

    /// The manifest `tag` names, read with one GET; nil when there is none.
    private func tagged(_ repository: String, _ tag: String) async throws -> ManifestDocument? {
        do { return try await store.fetchManifest(repository, reference: tag) } catch let error as ImageStoreError
            where error.kind == .notFound
        {
            return nil
        }
    }

    /// Signature documents are small; a larger one is refused rather than read.
    static let maximumDocumentSize: Int64 = 1 << 20
    /// Attestations carry SBOMs, which can be large.
    static let maximumAttestationSize: Int64 = 64 << 20
}
