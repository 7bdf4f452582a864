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
        public enum Kind: String, Sendable { case sigstoreBundle = "sigstore-bundle", legacyCosign = "cosign-legacy" }
        public let kind: Kind
        /// The digest it claims to sign.
        public let subject: Digest
        /// Where it was found: the referrer manifest, or the legacy tag.
        public let location: String
        public let verdict: SignatureVerdict
    }

    /// Every subject checked and every signature found.
    public struct Report: Sendable, Equatable {
        public let subjects: [Digest]
        public let findings: [Finding]

        /// The subjects without an accepted signature.
        public var unsigned: [Digest] {
            subjects.filter { subject in !findings.contains { $0.subject == subject && $0.verdict.accepted } }
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
        var findings: [Finding] = []
        for subject in subjects {
            findings += try await bundles(repository, subject: subject)
            findings += try await legacy(repository, subject: subject)
        }
        return Report(subjects: subjects, findings: findings)
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
            for layer in manifest.layers where layer.mediaType == TrustFormats.bundleMediaType {
                let verdict: SignatureVerdict
                if layer.size > Self.maximumDocumentSize {
                    verdict = SignatureVerdict(
                        accepted: false, reason: "the bundle is \(layer.size) bytes, over the 1 MiB berth reads")
                } else {
                    verdict = verifier.checkBundle(try await store.fetchBlob(repository, digest: layer.digest), subject: subject)
                }
                findings.append(Finding(kind: .sigstoreBundle, subject: subject, location: location, verdict: verdict))
            }
        }
        return findings
    }

    private func legacy(_ repository: String, subject: Digest) async throws -> [Finding] {
        let tag = TrustFormats.legacySignatureTag(for: subject)
        guard try await store.resolve(repository, reference: tag) != nil else { return [] }
        let document = try await store.fetchManifest(repository, reference: tag)
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

    /// Signature documents are small; a larger one is refused rather than read.
    static let maximumDocumentSize: Int64 = 1 << 20
}
