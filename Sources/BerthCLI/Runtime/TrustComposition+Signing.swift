import BerthCore
import BerthOCI
import BerthTrust
import Foundation

extension TrustComposition {
    /// What `berth build --sign` and `berth release` sign with: the key loaded (before anything is built
    /// or moved, so a wrong passphrase costs nothing), its own public key to find what is signed already.
    struct Signing: Sendable {
        let signer: KeySigner
        let verifier: KeyVerifier
        let attest: Bool
        let legacyTags: Bool

        /// Signs `digest` in `reference`'s repository and attests its provenance (`template`, completed
        /// from the image) and each platform's SBOM, writing only what the key's own verification doesn't
        /// find there already. `made`: the build this run pushed there, read from memory.
        func sign(
            _ reference: ImageReference, digest: Digest, template: SLSAProvenance, store: any ImageStore,
            made: StagedImageStore? = nil
        ) async throws -> AttestationService.Outcome {
            try await service(store: store, made: made).attestMissing(
                reference.repository, digest: digest, dockerReference: TrustDocuments.dockerReference(reference),
                created: TrustDocuments.timestamp(Date()), request: request(template), verifier: verifier)
        }

        /// The first pass of signing a digest `made` by this run that `reference`'s repository didn't hold
        /// (`ImagePublisher.Presence.isNew`): nothing there can be about it, so there is nothing to verify
        /// first, and every statement is signed and its blobs pushed while the image is still being
        /// pushed (`AttestationService.stage`). `sign(_:template:factory:quiet:made:staged:)` finishes it.
        func stage(
            _ reference: ImageReference, digest: Digest, template: SLSAProvenance, store: any ImageStore,
            made: StagedImageStore
        ) async throws -> AttestationService.Staged {
            try await service(store: store, made: made).stage(
                reference.repository, digest: digest, dockerReference: TrustDocuments.dockerReference(reference),
                created: TrustDocuments.timestamp(Date()), request: request(template))
        }

        private func service(store: any ImageStore, made: StagedImageStore?) -> AttestationService {
            let service = AttestationService(store: store, signer: signer, legacyTags: legacyTags)
            return made.map(service.reading(made:)) ?? service
        }

        /// A signature on every subject, and with `attest` its provenance and SBOM.
        private func request(_ template: SLSAProvenance) -> AttestationService.Request {
            var request = AttestationService.Request(sign: true)
            if attest {
                request.provenance = template
                request.sbom = .referrers
            }
            return request
        }

        /// Signs each image as `sign` does, reports each outcome on stderr unless `quiet`; `--json`'s `signing`.
        /// `staged`: the images (by position) whose signing `stage` began, finished here without a verification;
        /// `whileSettling` runs in the last one's pause before its final check (`AttestationService.Staged.finish`),
        /// once every other staged image's signatures are in: it writes tags in every destination.
        func sign(
            _ images: [(reference: ImageReference, digest: Digest)], template: SLSAProvenance, factory: StoreFactory,
            quiet: Bool, made: StagedImageStore? = nil, staged: [Int: AttestationService.Staged] = [:],
            whileSettling: (@Sendable () async throws -> Void)? = nil
        ) async throws -> TrustDocuments.AttestDocument {
            var outcomes: [AttestationService.Outcome] = []
            let lastStaged = staged.keys.max()
            for (position, image) in images.enumerated() {
                let outcome: AttestationService.Outcome
                if let staged = staged[position] {
                    outcome = try await staged.finish(whileSettling: position == lastStaged ? whileSettling : nil)
                } else {
                    outcome = try await sign(
                        image.reference, digest: image.digest, template: template,
                        store: factory.store(for: image.reference), made: made)
                }
                TrustComposition.report(outcome, quiet: quiet)
                outcomes.append(outcome)
            }
            return TrustDocuments.AttestDocument(
                keyID: signer.keyID,
                outcome: .init(
                    signed: outcomes.flatMap(\.signed), attested: outcomes.flatMap(\.attested),
                    notes: outcomes.flatMap(\.notes)))
        }
    }

    /// The signing `options` and berth.yaml's `sign:` ask for; nil when neither does (or `--no-sign`).
    static func signing(
        _ options: SignOptions, settings: SigningSettings?, projectDirectory: String, environment: [String: String]
    )
        throws -> Signing?
    {
        try signingLoader(options, settings: settings, projectDirectory: projectDirectory, environment: environment)?.load()
    }

    /// As `signing`, but an encrypted key with its passphrase set is decrypted on a thread of its own (PBKDF2
    /// with 600,000 rounds: about 300 ms of one core) while the caller goes on; `value()` waits for it. Every
    /// other key, and every error found without decrypting (no file, not a key, no passphrase), is dealt
    /// with now; a wrong passphrase surfaces at `value()`.
    static func pendingSigning(
        _ options: SignOptions, settings: SigningSettings?, projectDirectory: String, environment: [String: String]
    ) throws -> PendingSigning? {
        guard
            let loader = try signingLoader(
                options, settings: settings, projectDirectory: projectDirectory, environment: environment)
        else { return nil }
        guard loader.passphraseSet,
            try read(loader.keyPath, what: "private key").contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        else { return PendingSigning(ready: try loader.load()) }
        return PendingSigning(onThread: loader.load)
    }

    /// What loading the signing `options` and `settings` ask for takes: the key file, whether its passphrase
    /// variable is set, and the load itself; nil when signing is off.
    private static func signingLoader(
        _ options: SignOptions, settings: SigningSettings?, projectDirectory: String, environment: [String: String]
    ) throws -> (keyPath: String, passphraseSet: Bool, load: @Sendable () throws -> Signing)? {
        let enabled = options.sign ?? (options.key != nil || settings != nil)
        guard enabled else { return nil }
        guard let key = options.key ?? settings.map({ $0.key.hasPrefix("/") ? $0.key : projectDirectory + "/" + $0.key })
        else {
            throw BerthError(.usage, "--sign needs a key: pass --key FILE or set sign.key in berth.yaml")
        }
        let variable = options.passphraseEnv ?? settings?.passphraseEnv ?? SigningKey.passphraseVariable
        let (attest, legacyTags) = (settings?.attest ?? true, settings?.legacyTags ?? true)
        let passphraseSet = !(environment[variable] ?? "").isEmpty
        return (
            key, passphraseSet,
            {
                let signer = try signer(keyPath: key, passphraseVariable: variable, environment: environment)
                return Signing(
                    signer: signer, verifier: KeyVerifier(key: signer.key.publicKey), attest: attest, legacyTags: legacyTags)
            }
        )
    }

    /// The provenance of a run from its plan: the source (the image's source label, else the CI's
    /// repository URL), the commit, the ref (the CI's, else the branch built), the version, the Go main
    /// package, the run's times and id. What the image says (platforms, base image, Go modules from its
    /// SBOM) the attestation service fills in.
    static func provenance(
        _ plan: ReleasePlan, main: String?, startedOn: Date, environment: [String: String]
    ) -> SLSAProvenance {
        let labels = Dictionary(plan.metadata.labels.map { ($0.key, $0.value) }) { $1 }
        let repository = labels[AnnotationKey.source] ?? plan.ci.repositoryURL ?? ""
        let branch = plan.decision.branch
        let ref = plan.ci.ref ?? (branch.isEmpty || branch == "HEAD" ? nil : "refs/heads/" + branch)
        return SLSAProvenance(
            source: .init(repository: repository, commit: plan.decision.headCommit, ref: ref),
            version: plan.decision.version.description, platforms: [], main: main, baseImage: nil, goVersion: nil,
            modules: [], berthVersion: BerthVersion.current,
            invocationID: environment["GITHUB_RUN_ID"] ?? environment["CI_JOB_ID"],
            startedOn: TrustDocuments.timestamp(startedOn), finishedOn: TrustDocuments.timestamp(Date()))
    }

    /// One line per signature and attestation written, and the notes, to stderr (stdout stays the command's).
    static func report(_ outcome: AttestationService.Outcome, quiet: Bool) {
        guard !quiet else { return }
        for entry in outcome.signed { Terminal.writeError("signed   \(entry.subject): referrer \(entry.referrer)\n") }
        for entry in outcome.attested {
            Terminal.writeError("attested \(entry.subject) \(entry.name): referrer \(entry.referrer)\n")
        }
        for note in outcome.notes { Terminal.writeError("berth: note: \(note)\n") }
    }
}

/// A `Signing` loaded now, or being loaded on a thread of its own (not the cooperative pool, which the
/// build's own work may hold: two threads on two cores).
final class PendingSigning: Sendable {
    private let state:
        Locked<(Result<TrustComposition.Signing, any Error>?, CheckedContinuation<TrustComposition.Signing, any Error>?)>

    init(ready: TrustComposition.Signing) { state = Locked((.success(ready), nil)) }

    init(onThread load: @escaping @Sendable () throws -> TrustComposition.Signing) {
        state = Locked((nil, nil))
        Thread { [state] in
            let result = Result(catching: load)
            let waiting = state.withLock { state in
                state.0 = result
                defer { state.1 = nil }
                return state.1
            }
            waiting?.resume(with: result)
        }.start()
    }

    /// The signing, once loaded; the load's error (a wrong passphrase) when it failed. One caller waits at a time.
    func value() async throws -> TrustComposition.Signing {
        if let result = state.withLock({ $0.0 }) { return try result.get() }
        return try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state in
                if state.0 == nil { state.1 = continuation }
                return state.0
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

extension CommandContext {
    /// As `signing(_:)`, an encrypted key decrypted on a thread of its own meanwhile (`PendingSigning`).
    func pendingSigning(_ options: SignOptions) throws -> PendingSigning? {
        try TrustComposition.pendingSigning(
            options, settings: configuration.signing, projectDirectory: projectDirectory, environment: environment)
    }

    /// The signing `options` and berth.yaml's `sign:` ask for (the key read now, before anything is built
    /// or moved); nil when neither does.
    func signing(_ options: SignOptions) throws -> TrustComposition.Signing? {
        try TrustComposition.signing(
            options, settings: configuration.signing, projectDirectory: projectDirectory, environment: environment)
    }
}
