import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// A stand-in key: its "signature" of a digest is a text naming both, checked by string equality. The
/// real crypto is BerthTrust's (tested there); here it's the promotion rule.
struct StandInKey: ArtifactSigner, SignatureVerifier {
    let keyID: String

    func signatureBundle(for subject: Digest) throws -> Data { Data("\(keyID) signs \(subject)".utf8) }

    func simpleSignature(for subject: Digest, dockerReference: String) throws -> SimpleSignature {
        SimpleSignature(payload: Data(subject.description.utf8), signature: keyID)
    }

    func checkBundle(_ bundle: Data, subject: Digest) -> SignatureVerdict {
        let accepted = bundle == (try? signatureBundle(for: subject))
        return SignatureVerdict(accepted: accepted, reason: accepted ? "ok" : "not signed by \(keyID)")
    }

    func checkSimpleSignature(_ signature: SimpleSignature, subject: Digest) -> SignatureVerdict {
        let accepted = signature.signature == keyID && signature.payload == Data(subject.description.utf8)
        return SignatureVerdict(accepted: accepted, reason: accepted ? "ok" : "legacy not by \(keyID)")
    }

    func attestation(_ attestation: Attestation, about subject: Digest) throws -> SignedAttestation {
        let text = Data("\(keyID) attests \(attestation.predicateType) of \(subject)".utf8)
        return SignedAttestation(bundle: text, envelope: text)
    }

    func checkAttestation(_ bundle: Data, subject: Digest) -> AttestationVerdict {
        let prefix = "\(keyID) attests "
        let text = String(decoding: bundle, as: UTF8.self)
        guard text.hasPrefix(prefix), text.hasSuffix(" of \(subject)") else {
            return AttestationVerdict(verdict: SignatureVerdict(accepted: false, reason: "not attested by \(keyID)"))
        }
        let type = String(text.dropFirst(prefix.count).dropLast(" of \(subject)".count))
        return AttestationVerdict(
            verdict: SignatureVerdict(accepted: true, reason: "ok"), predicateType: type, predicate: .object([:]))
    }

    func checkAttestationEnvelope(_ envelope: Data, subject: Digest) -> AttestationVerdict {
        checkAttestation(envelope, subject: subject)
    }
}

@Suite("berth promote into an environment that requires a signature")
struct SignatureRequirementTests {
    let project = LifecycleHarness()

    func promote(to environment: String, trusting keys: [StandInKey], requiredIn: String? = nil) async throws
        -> PromotionOutcome
    {
        var service = project.promotion()
        let required = requiredIn ?? environment
        service.signatureRequirements = [required: SignatureRequirement(environment: required, verifiers: keys)]
        return try await service.run(
            try await service.preview(
                PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: environment)))
    }

    func sign(_ digest: Digest, with key: StandInKey) async throws {
        _ = try await SigningService(store: project.store, signer: key).sign(
            "acme/api", digest: digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z")
    }

    @Test(
        "unsigned: refused (blocked) before any tag moves; signed by another key: refused with its reason; by a trusted key: promoted"
    )
    func requiresTrustedSignature() async throws {
        let digest = try await project.pushBuild()
        _ = try await project.release()
        try await project.gate(digest, .pass)
        let trusted = StandInKey(keyID: "release-key")
        let unsigned = await #expect(throws: BerthError.self) { try await promote(to: "dev", trusting: [trusted]) }
        #expect(unsigned?.kind == .blocked)
        #expect(unsigned?.message.contains("environment 'dev' requires a signature") == true)
        #expect(unsigned?.message.contains("key release-key: no signature found") == true)
        #expect(unsigned?.message.contains("berth sign registry.example/acme/api@\(digest)") == true)
        #expect(try await project.tag("v0.1.0-dev") == nil)
        #expect(try await project.events(.promoted).isEmpty)

        try await sign(digest, with: StandInKey(keyID: "someone-else"))
        let other = await #expect(throws: BerthError.self) { try await promote(to: "dev", trusting: [trusted]) }
        #expect(other?.kind == .blocked && other?.message.contains("not signed by release-key") == true)

        try await sign(digest, with: trusted)
        let outcome = try await promote(to: "dev", trusting: [StandInKey(keyID: "ops-key"), trusted])
        #expect(outcome.promoted?.digest == digest.description)
        #expect(try await project.tag("v0.1.0-dev") == digest)
    }

    @Test("an environment without a requirement promotes unsigned images as before")
    func noRequirement() async throws {
        let digest = try await project.pushBuild()
        _ = try await project.release()
        try await project.gate(digest, .pass)
        let outcome = try await promote(to: "dev", trusting: [StandInKey(keyID: "k")], requiredIn: "prod")
        #expect(outcome.promoted?.digest == digest.description)
    }
}
