import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// `AttestationService.attestMissing`: what `berth build --sign` and `berth release` call, so a release of a
/// digest the build signed, or a re-run, writes nothing twice.
@Suite("signing only what a verification doesn't find")
struct AttestMissingTests {
    let store = InMemoryImageStore()
    let key = StandInKey(keyID: "release-key")

    func service() -> AttestationService {
        var service = AttestationService(store: store, signer: key)
        service.signing.settle = .zero
        return service
    }

    let provenance = SLSAProvenance(
        source: .init(repository: "https://github.com/acme/api", commit: "c0ffee", ref: "refs/heads/main"), version: "1.0.0",
        platforms: [], baseImage: nil, goVersion: nil, modules: [], berthVersion: "test", startedOn: nil, finishedOn: nil)

    func sign(_ digest: Digest) async throws -> AttestationService.Outcome {
        try await service().attestMissing(
            "acme/api", digest: digest, dockerReference: "registry.example/acme/api", created: "2024-01-10T00:00:00Z",
            request: .init(sign: true, provenance: provenance), verifier: key)
    }

    func findings(_ digest: Digest) async throws -> [VerificationService.Finding] {
        try await VerificationService(store: store, verifier: key).verify(
            "acme/api", digest: digest, reference: "acme/api@\(digest)"
        ).findings
    }

    @Test("an index signed and attested once; again: nothing written; a child signed elsewhere: only the rest signed")
    func idempotent() async throws {
        let index = try await TestImages.pushIndex(into: store, repository: "acme/api", tag: "v1", seed: "attest-missing")
        let children = try index.index().manifests.map(\.digest)
        // One child already carries this key's signature (another run, or cosign).
        _ = try await SigningService(store: store, signer: key).sign(
            "acme/api", digest: children[0], dockerReference: "registry.example/acme/api", created: "2024-01-09T00:00:00Z")

        let first = try await sign(index.digest)
        #expect(Set(first.signed.map(\.subject)) == [index.digest, children[1]], "the signed child isn't signed again")
        #expect(Set(first.attested.map(\.subject)) == Set([index.digest] + children))
        #expect(first.notes.contains { $0.contains("\(children[0]) is signed by this key already") })
        let written = try await findings(index.digest)
        #expect(written.filter { $0.kind == .sigstoreBundle }.count == 3)
        #expect(written.filter { $0.kind == .attestation && $0.verdict.accepted }.count == 3)

        let second = try await sign(index.digest)
        #expect(second.signed.isEmpty && second.attested.isEmpty)
        #expect(second.notes == ["\(index.digest) carries all of it by key release-key already; nothing written"])
        #expect(try await findings(index.digest) == written)
    }
}
