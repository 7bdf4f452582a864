import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// `ReleaseService` in process, on in-memory git, stores and ledger: the rules the CLI scenarios check
/// end to end, here in milliseconds, with every checkpoint and a 32-way race.
@Suite("release service")
struct ReleaseServiceTests {
    static let releasePoints: [LifecycleCheckpoint] = [
        .releaseImageTagged, .releaseImagesTagged, .releaseGitTagged, .releaseGitPushed, .releaseRecorded,
    ]

    @Test("a release tags every image, creates and pushes the git tag, and records each image once")
    func release() async throws {
        let project = LifecycleHarness()
        let digest = try await project.pushBuild()
        let outcome = try await project.release()
        #expect(outcome.records.map(\.repository) == LifecycleHarness.images)
        #expect(outcome.records.allSatisfy { $0.digest == digest && $0.version == "0.1.0" && $0.eventID != nil })
        #expect(outcome.pushedTo == "origin")
        let head = try project.git.head().sha
        #expect(try project.git.tags().contains(GitTagRef(name: "v0.1.0", commit: head)))
        #expect(try project.git.remoteTags(remote: "origin") == [GitTagRef(name: "v0.1.0", commit: head)])
        for image in LifecycleHarness.images {
            for tag in ["v0.1.0", "v0.1", "latest"] {
                #expect(try await project.tag(tag, image: image) == digest, "\(image):\(tag)")
            }
            let tagged = try await project.events(.tagged, repository: image)
            #expect(
                tagged.map { $0.details["tags"] } == ["v0.1.0,v0.1,latest,sha-0000000"],
                "every tag of the release no event accounted for (the build's sha- tag was pushed unrecorded)")
        }
        let again = await #expect(throws: BerthError.self) { try await project.release() }
        #expect(again?.kind == .conflict && again?.message.contains("already released (event") == true)
    }

    @Test("what is checked before anything changes: no build, a fixed tag elsewhere, nothing to release")
    func refusals() async throws {
        let project = LifecycleHarness()
        let none = await #expect(throws: BerthError.self) { try await project.release() }
        #expect(none?.kind == .failure && none?.message.contains("run berth build first") == true)

        let digest = try await project.pushBuild()
        try await TestImages.push(into: project.store, repository: "acme/api", tag: "v0.1.0", seed: "another build")
        let conflict = await #expect(throws: BerthError.self) { try await project.release() }
        #expect(conflict?.kind == .conflict && conflict?.message.contains("a version tag never moves") == true)
        #expect(try await project.events(.tagged).isEmpty && project.git.history.tagRefs.isEmpty, "nothing changed")
        #expect(try await project.tag("latest") == nil)
        _ = digest

        let wrong = await #expect(throws: BerthError.self) {
            let service = ReleaseService(project.dependencies(), git: project.git)
            _ = try await service.preview(ReleaseRequest(plan: try project.plan(), digest: "sha256:nope"))
        }
        #expect(wrong?.kind == .usage)
    }

    @Test(
        "a crash after any step, then a re-run: one release per image, the tags and the pushed git tag agree",
        arguments: releasePoints)
    func crashThenRerun(at point: LifecycleCheckpoint) async throws {
        let project = LifecycleHarness()
        let digest = try await project.pushBuild()
        project.crash(at: point)
        await #expect(throws: LifecycleHarness.Crash(point: point)) { try await project.release() }
        if point == .releaseRecorded {
            let rerun = await #expect(throws: BerthError.self) { try await project.release() }
            #expect(rerun?.kind == .conflict, "the crash came after the record: the release is done")
        } else {
            _ = try await project.release()
        }
        let third = await #expect(throws: BerthError.self) { try await project.release() }
        #expect(third?.kind == .conflict)
        for image in LifecycleHarness.images {
            #expect(try await project.events(.released, repository: image).map(\.digest) == [digest.description])
            let written = try await project.events(.tagged, repository: image).flatMap { TagList.parse($0.details["tags"]) }
            #expect(Set(written).count == written.count, "no tag recorded twice: \(written)")
            #expect(
                Set(written) == ["v0.1.0", "v0.1", "latest", "sha-0000000"],
                "every tag recorded, even one a crash left unrecorded: \(written)")
            for tag in ["v0.1.0", "v0.1", "latest"] { #expect(try await project.tag(tag, image: image) == digest) }
        }
        let head = try project.git.head().sha
        #expect(try project.git.remoteTags(remote: "origin") == [GitTagRef(name: "v0.1.0", commit: head)])
    }

    @Test("32 releases racing: exactly one records, the other 31 are told it is already released")
    func race() async throws {
        let project = LifecycleHarness()
        let digest = try await project.pushBuild()
        let results = await withTaskGroup(of: Result<ReleaseOutcome, any Error>.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    do { return .success(try await project.release()) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let won = results.compactMap { try? $0.get() }
        let lost = results.compactMap { result -> BerthError? in
            if case .failure(let error) = result { return error as? BerthError }
            return nil
        }
        #expect(won.count == 1)
        #expect(lost.count == 31 && lost.allSatisfy { $0.kind == .conflict && $0.message.contains("already released") })
        for image in LifecycleHarness.images {
            #expect(try await project.events(.released, repository: image).map(\.digest) == [digest.description])
        }
    }

    @Test("a ledger that can't be written fails the release before the registry or git change")
    func unwritableLedger() async throws {
        let project = LifecycleHarness()
        try await project.pushBuild()
        let ledger = FailingLedger(project.ledger)
        ledger.failing.withLock { $0 = .all }
        var dependencies = project.dependencies()
        dependencies.ledger = ledger
        let service = ReleaseService(dependencies, git: project.git)
        let error = await #expect(throws: BerthError.self) {
            try await service.run(try await service.preview(ReleaseRequest(plan: try project.plan())))
        }
        #expect(error?.message.contains("disk is full") == true)
        #expect(try await project.tag("latest") == nil && project.git.history.tagRefs.isEmpty, "nothing changed")
    }

    @Test("the disk fills before the record: the re-run records the release and every tag the first run wrote")
    func fullDiskThenRerun() async throws {
        let project = LifecycleHarness()
        let digest = try await project.pushBuild()
        let ledger = FailingLedger(project.ledger)
        ledger.failing.withLock { $0 = .appends }
        var dependencies = project.dependencies()
        dependencies.ledger = ledger
        let service = ReleaseService(dependencies, git: project.git)
        await #expect(throws: BerthError.self) {
            try await service.run(try await service.preview(ReleaseRequest(plan: try project.plan())))
        }
        #expect(try await project.tag("latest") == digest, "the registry changed before the ledger failed")
        #expect(try await project.events(.tagged).isEmpty)
        ledger.failing.withLock { $0 = .none }
        _ = try await service.run(try await service.preview(ReleaseRequest(plan: try project.plan())))
        for image in LifecycleHarness.images {
            let tagged = try await project.events(.tagged, repository: image).flatMap { TagList.parse($0.details["tags"]) }
            #expect(Set(tagged) == ["v0.1.0", "v0.1", "latest", "sha-0000000"], "\(image): \(tagged)")
            #expect(try await project.events(.released, repository: image).count == 1)
        }
    }
}

/// A ledger whose writes fail like a full disk, when told to.
final class FailingLedger: LedgerStore {
    enum Mode { case none, appends, all }
    let inner: InMemoryLedger
    let failing = Locked(Mode.none)

    init(_ inner: InMemoryLedger) { self.inner = inner }

    var full: BerthError { BerthError(.failure, "ledger 'memory' can't be written: the disk is full") }

    func append(all events: [LedgerEvent]) async throws -> [LedgerEvent] {
        if failing.current != .none { throw full }
        return try await inner.append(all: events)
    }
    func checkWritable() async throws { if failing.current == .all { throw full } }
    func events(_ query: LedgerQuery) async throws -> [LedgerEvent] { try await inner.events(query) }
    func event(onceKey: String) async throws -> LedgerEvent? { try await inner.event(onceKey: onceKey) }
    func status(repository: String) async throws -> [EnvironmentState] { try await inner.status(repository: repository) }
    func repositories() async throws -> [String] { try await inner.repositories() }
}
