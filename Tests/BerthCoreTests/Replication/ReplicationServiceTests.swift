import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("replication: images copied by digest with their referrers and cosign tags")
struct ReplicationServiceTests {
    static let repository = "acme/api"

    /// Every manifest of `attached` is at the destination with the same bytes, and the fallback indexes
    /// and the legacy tag read back as at the source.
    static func expectComplete(
        _ attached: AttachedImage, tag: String, source: InMemoryImageStore, destination: InMemoryImageStore,
        at repository: String = repository
    ) async throws {
        for document in attached.manifests {
            let copied = try await destination.fetchManifest(repository, reference: document.digest.description)
            #expect(copied.bytes == document.bytes)
        }
        #expect(try await destination.resolve(repository, reference: tag)?.digest == attached.image.digest)
        for subject in [attached.image.digest, attached.sbom.digest] {
            let fallback = Referrers.fallbackTag(for: subject)
            let original = try await source.fetchManifest(Self.repository, reference: fallback)
            #expect(try await destination.fetchManifest(repository, reference: fallback).bytes == original.bytes)
        }
        let legacyTag = "sha256-\(attached.image.digest.hex).sig"
        #expect(try await destination.resolve(repository, reference: legacyTag)?.digest == attached.legacy.digest)
        let listed = try await Referrers(store: destination).list(repository, subject: attached.image.digest).map(\.digest)
        #expect(Set(listed) == [attached.sbom.digest, attached.signature.digest])
    }

    @Test(
        "an image, its SBOM, the SBOM's signature, its signature and its .sig tag arrive byte for byte; a second run copies nothing"
    )
    func copiesEverythingAttached() async throws {
        let source = InMemoryImageStore()
        let destination = InMemoryImageStore()
        let attached = try await AttachedImage.push(into: source, repository: Self.repository, tag: "1.0.0", seed: "one")
        let service = ReplicationService(source: source, destination: destination)
        let job = ReplicationJob(
            sourceRepository: Self.repository, reference: "1.0.0", destinationRepository: Self.repository, tags: ["1.0.0"])
        let first = try await service.replicate(job)
        #expect(first.outcome == .copied)
        #expect(first.referrersCopied == 3)
        #expect(first.legacyTagsCopied == 1)
        #expect(first.fallbackIndexesWritten == 2)
        #expect(first.tagsWritten == ["1.0.0"])
        try await Self.expectComplete(attached, tag: "1.0.0", source: source, destination: destination)

        let second = try await ReplicationService(source: source, destination: destination).replicate(job)
        #expect(second.outcome == .present)
        #expect(second.referrersCopied == 0 && second.referrersPresent == 2 && second.blobsCopied == 0)
    }

    @Test("the referrers of every platform of an index go with it")
    func indexChildren() async throws {
        let source = InMemoryImageStore()
        let destination = InMemoryImageStore()
        let image = try await TestImages.pushIndex(into: source, repository: Self.repository, tag: "2.0.0", seed: "multi")
        let child = try image.index().manifests[1]
        let signature = try await AttachedImage.artifact(
            source, Self.repository, about: child, type: "application/vnd.dev.sigstore.bundle.v0.3+json", body: "arm64 sig")
        let copied = try await ReplicationService(source: source, destination: destination).replicate(
            ReplicationJob(
                sourceRepository: Self.repository, reference: "2.0.0", destinationRepository: "mirror/api", tags: ["2.0.0"]))
        #expect(copied.referrersCopied == 1)
        #expect(
            try await destination.fetchManifest("mirror/api", reference: signature.digest.description).bytes == signature.bytes)
        #expect(
            try await Referrers(store: destination).list("mirror/api", subject: child.digest).map(\.digest) == [signature.digest])
    }

    @Test("a destination fallback index with another tool's entry keeps it and gains the source's")
    func mergesFallbackIndex() async throws {
        let source = InMemoryImageStore()
        let destination = InMemoryImageStore()
        let attached = try await AttachedImage.push(into: source, repository: Self.repository, tag: "1.0.0", seed: "merge")
        try await destination.pushBlob(
            Self.repository, digest: .sha256(of: attached.image.bytes), data: attached.image.bytes)
        let theirs = try await AttachedImage.artifact(
            destination, Self.repository, about: attached.image.descriptor, type: "application/vnd.example", body: "theirs")
        _ = try await ReplicationService(source: source, destination: destination).replicate(
            ReplicationJob(
                sourceRepository: Self.repository, reference: "1.0.0", destinationRepository: Self.repository, tags: ["1.0.0"]))
        let listed = Set(
            try await Referrers(store: destination).list(Self.repository, subject: attached.image.digest).map(\.digest))
        #expect(listed == [theirs.digest, attached.sbom.digest, attached.signature.digest])
    }

    @Test("a destination tag on another digest is left and reported; with force it moves")
    func tagConflicts() async throws {
        let source = InMemoryImageStore()
        let destination = InMemoryImageStore()
        let attached = try await AttachedImage.push(into: source, repository: Self.repository, tag: "1.0.0", seed: "wanted")
        let other = try await TestImages.push(into: destination, repository: Self.repository, tag: "1.0.0", seed: "other")
        let job = ReplicationJob(
            sourceRepository: Self.repository, reference: "1.0.0", destinationRepository: Self.repository, tags: ["1.0.0"])
        let kept = try await ReplicationService(source: source, destination: destination).replicate(job)
        #expect(
            kept.conflicts == [
                DestinationTagConflict(tag: "1.0.0", found: other.digest, wanted: attached.image.digest, moved: false)
            ])
        #expect(try await destination.resolve(Self.repository, reference: "1.0.0")?.digest == other.digest)
        // The image still lands, by digest, with what is attached to it.
        #expect(try await destination.resolve(Self.repository, reference: attached.image.digest.description) != nil)

        var forcing = ReplicationService(source: source, destination: destination)
        forcing.force = true
        let moved = try await forcing.replicate(job)
        #expect(moved.conflicts.map(\.moved) == [true])
        try await Self.expectComplete(attached, tag: "1.0.0", source: source, destination: destination)
    }

    @Test(
        "a run stopped at each checkpoint, then run again, ends complete",
        arguments: [
            LifecycleCheckpoint.syncReferrersCopied, .syncImageCopied,
        ])
    func resumes(_ point: LifecycleCheckpoint) async throws {
        struct Stop: Error {}
        let source = InMemoryImageStore()
        let destination = InMemoryImageStore()
        var images: [(String, AttachedImage)] = []
        for number in 1...6 {
            let tag = "1.\(number).0"
            images.append(
                (tag, try await AttachedImage.push(into: source, repository: Self.repository, tag: tag, seed: "r\(number)")))
        }
        var crashing = ReplicationService(source: source, destination: destination)
        let reached = Locked(0)
        crashing.checkpoint = Checkpoint { hit in
            guard hit == point else { return }
            // Stop the third time: two images (or their referrers) are through, others in flight.
            if reached.withLock({ count -> Int in
                count += 1
                return count
            }) == 3 {
                throw Stop()
            }
        }
        crashing.imageConcurrency = 1
        let plan = try await crashing.plan(
            [.init(repository: Self.repository, reference: nil)], selection: ReplicationSelection(allTags: true),
            destinationPrefix: "")
        #expect(plan.count == 6)
        await #expect(throws: Stop.self) {
            for job in plan { _ = try await crashing.replicate(job) }
        }
        let report = try await ReplicationService(source: source, destination: destination).run(plan)
        #expect(report.failures.isEmpty)
        #expect(report.present == (point == .syncImageCopied ? 3 : 2))
        for (tag, attached) in images {
            try await Self.expectComplete(attached, tag: tag, source: source, destination: destination)
        }
    }

    @Test("a released digest is recorded once as replicated, with its version and destination; other digests are not")
    func recordsReleases() async throws {
        let source = InMemoryImageStore()
        let destination = InMemoryImageStore()
        let ledger = InMemoryLedger()
        let released = try await AttachedImage.push(into: source, repository: Self.repository, tag: "1.0.0", seed: "rel")
        _ = try await AttachedImage.push(into: source, repository: Self.repository, tag: "dev", seed: "dev")
        _ = try await ledger.append(
            LedgerEvent(
                kind: .released, repository: "source.example/acme/api", version: "1.0.0",
                digest: released.image.digest.description, actor: "ci", time: 1))
        var service = ReplicationService(source: source, destination: destination)
        service.sourceName = { "source.example/\($0)" }
        service.destinationName = { "mirror.example/\($0)" }
        service.recorder = ReplicationRecorder(ledger: ledger, time: SteppedTime(Locked(50)), actor: "sync")
        let plan = try await service.plan(
            [.init(repository: Self.repository, reference: nil)], selection: ReplicationSelection(allTags: true),
            destinationPrefix: "")
        let first = try await service.run(plan)
        #expect(first.recorded == 1)
        _ = try await service.run(plan)
        let events = try await ledger.events(LedgerQuery(kinds: [.replicated]))
        #expect(events.count == 1)
        #expect(events.first?.version == "1.0.0")
        #expect(events.first?.digest == released.image.digest.description)
        #expect(events.first?.details[DetailKey.destination] == "mirror.example/acme/api")
        #expect(events.first?.actor == "sync")
    }

    @Test("a sync plan groups tags by digest, picks by regex or SemVer range, and never takes sha256- tags as images")
    func plans() async throws {
        let source = InMemoryImageStore()
        let one = try await AttachedImage.push(into: source, repository: "team/api", tag: "1.0.0", seed: "p1")
        try await source.pushManifest("team/api", reference: "v1.0", manifest: one.image)
        _ = try await TestImages.push(into: source, repository: "team/api", tag: "2.0.0-rc.1", seed: "p2")
        _ = try await TestImages.push(into: source, repository: "team/web", tag: "1.5.0", seed: "p3")
        _ = try await TestImages.push(into: source, repository: "other/db", tag: "1.0.0", seed: "p4")
        let service = ReplicationService(source: source, destination: InMemoryImageStore())
        let all = try await service.plan(
            [.init(repository: "team/*", reference: nil)], selection: ReplicationSelection(allTags: true),
            destinationPrefix: "mirror")
        #expect(all.map(\.tags) == [["1.0.0", "v1.0"], ["2.0.0-rc.1"], ["1.5.0"]])
        #expect(Set(all.map(\.destinationRepository)) == ["mirror/team/api", "mirror/team/web"])
        let ranged = try await service.plan(
            [.init(repository: "**", reference: nil)], selection: ReplicationSelection(versions: VersionRange(">=1.0.0 <2")),
            destinationPrefix: "")
        #expect(
            ranged.map { "\($0.sourceRepository):\($0.tags.joined(separator: ","))" } == [
                // v1.0 is the same image, but no SemVer version: the range picks 1.0.0 alone.
                "other/db:1.0.0", "team/api:1.0.0", "team/web:1.5.0",
            ])
        let matched = try await service.plan(
            [.init(repository: "team/api", reference: nil)], selection: ReplicationSelection(pattern: #"v\d+\.\d+"#),
            destinationPrefix: "")
        #expect(matched.map(\.tags) == [["v1.0"]])
        await #expect(throws: BerthError.self) {
            _ = try await service.plan(
                [.init(repository: "team/api", reference: nil)], selection: ReplicationSelection(), destinationPrefix: "")
        }
    }
}
