import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// Promotion, approval, deploy, rollback and retention services in process.
@Suite("promotion, approval, deploy, rollback and retention services")
struct PromotionServiceTests {
    /// A released 0.1.0 with a passing gate.
    static func released(_ outcome: GateDecision.Outcome = .pass) async throws -> (LifecycleHarness, Digest) {
        let project = LifecycleHarness()
        let digest = try await project.pushBuild()
        _ = try await project.release()
        try await project.gate(digest, outcome)
        return (project, digest)
    }

    @Test("environments go in order, retagging the same digest; a re-run changes nothing")
    func order() async throws {
        let (project, digest) = try await Self.released()
        let skip = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "staging") }
        #expect(skip?.kind == .blocked && skip?.message.contains("berth promote 0.1.0 --to dev first") == true)
        for environment in ["dev", "staging", "prod"] {
            let outcome = try await project.promote("0.1.0", to: environment)
            #expect(outcome.promoted?.environment == environment && outcome.promoted?.digest == digest.description)
        }
        #expect(try await project.tag("v0.1.0-dev") == digest)
        #expect(try await project.tag("v0.1.0-staging") == digest)
        let rerun = try await project.promotion().preview(
            PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: "prod"))
        #expect(rerun.isDone)
        #expect(try await project.events(.promoted).count == 3)
        let status = try await LedgerQueries(ledger: project.ledger, environmentOrder: ["dev", "staging", "prod"])
            .status(repository: LifecycleHarness.images[0])
        #expect(status.map(\.environment) == ["dev", "staging", "prod"])
    }

    @Test("a run that finds its promotion recorded by another puts the tags back and says it recorded nothing")
    func promotedByAnotherRun() async throws {
        let (project, digest) = try await Self.released()
        let first = try await project.promote("0.1.0", to: "dev")
        #expect(first.recordedPromotion)
        // What a racing run sees when it read the registry before the winner's retag and the ledger after its record.
        try await project.store.deleteTag("acme/api", tag: "v0.1.0-dev")
        let service = project.promotion()
        let preview = try await service.preview(
            PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: "dev", deploy: false))
        #expect(!preview.isDone)
        let second = try await service.run(preview)
        #expect(!second.recordedPromotion && second.promoted?.id == first.promoted?.id)
        #expect(try await project.tag("v0.1.0-dev") == digest)
        #expect(try await project.events(.promoted).count == 1)
    }

    @Test("a gate that needs approval: the approval binds to the digest, the decision and the environment")
    func approvals() async throws {
        let (project, digest) = try await Self.released(.needsApproval)
        let needs = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "dev") }
        #expect(needs?.kind == .needsApproval)

        let approvals = ApprovalService(project.dependencies(actor: "alice"))
        let staging = ApprovalRequest(
            repository: LifecycleHarness.images[0], version: "0.1.0", environment: "staging", reason: "CVE not reachable")
        guard case .approve(let forStaging) = try await approvals.run(try await approvals.preview(staging)) else {
            Issue.record("an approval was expected")
            return
        }
        #expect(forStaging.digest == digest && forStaging.eventID != nil)
        let stillNeeds = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "dev") }
        #expect(stillNeeds?.kind == .needsApproval, "an approval for staging doesn't cover dev")

        var dev = staging
        dev.environment = "dev"
        dev.validFor = 3600
        _ = try await approvals.run(try await approvals.preview(dev))
        #expect(
            try await project.promote("0.1.0", to: "dev").promoted?.details["clearance"]?.contains("approved by alice") == true)

        // A new gate decision about the digest needs a new approval.
        try await project.gate(digest, .needsApproval)
        let again = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "staging") }
        #expect(again?.kind == .needsApproval)

        try await project.gate(digest, .block)
        let blocked = await #expect(throws: BerthError.self) { try await approvals.preview(staging) }
        #expect(blocked?.kind == .blocked)
        let empty = await #expect(throws: BerthError.self) {
            var blank = staging
            blank.reason = "  "
            return try await approvals.preview(blank)
        }
        #expect(empty?.kind == .usage)
    }

    @Test("an approval that expired no longer clears the promotion")
    func expiry() async throws {
        let (project, _) = try await Self.released(.needsApproval)
        let approvals = ApprovalService(project.dependencies())
        _ = try await approvals.run(
            try await approvals.preview(
                ApprovalRequest(
                    repository: LifecycleHarness.images[0], version: "0.1.0", environment: "dev", reason: "ok", validFor: 60)))
        project.now.withLock { $0 += 61 }
        let expired = await #expect(throws: BerthError.self) { try await project.promote("0.1.0", to: "dev") }
        #expect(expired?.kind == .needsApproval)
    }

    @Test(
        "a crash after the retag or after the record, then a re-run: exactly one promotion",
        arguments: [LifecycleCheckpoint.promoteRetagged, .promoteRecorded])
    func crash(at point: LifecycleCheckpoint) async throws {
        let (project, digest) = try await Self.released()
        project.crash(at: point)
        await #expect(throws: LifecycleHarness.Crash(point: point)) { try await project.promote("0.1.0", to: "dev") }
        let rerun = try await project.promotion().preview(
            PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: "dev"))
        #expect(rerun.isDone == (point == .promoteRecorded))
        if !rerun.isDone { _ = try await project.promotion().run(rerun) }
        #expect(try await project.events(.promoted).map(\.digest) == [digest.description])
    }

    @Test("16 promotions racing into one environment record it once; the losers are told so")
    func race() async throws {
        let (project, _) = try await Self.released()
        let results = await withTaskGroup(of: (any Error)?.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    do {
                        let service = project.promotion()
                        let preview = try await service.preview(
                            PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: "dev"))
                        if !preview.isDone { _ = try await service.run(preview) }
                        return nil
                    } catch { return error }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(try await project.events(.promoted).count == 1)
        let errors = results.compactMap { $0 as? BerthError }
        #expect(errors.allSatisfy { $0.kind == .conflict && $0.message.contains("another run recorded the promotion") })
        #expect(results.compactMap { $0 }.count == errors.count, "no other failure: \(results)")
    }

    @Test("a deployment rewrites the manifest, commits it, rolls the workload, probes health, and is recorded once")
    func deploy() async throws {
        let (project, digest) = try await Self.released()
        let files = InMemoryManifestFiles(
            ["k8s/dev/kustomization.yaml": "images:\n- name: registry.example/acme/api\n  newTag: v0.0.9\n"], git: project.git)
        var settings = DeploySettings()
        settings.kustomization = "k8s/dev/kustomization.yaml"
        settings.kubectlContext = "dev-eu"
        settings.kubectlDeployment = "api"
        settings.kubectlContainer = "api"
        settings.healthURL = "http://api.dev.internal/healthz"
        let workload = RecordingWorkload()
        let deployer = DeployService(
            files: files, git: project.git, workload: workload, health: FixedHealth(.healthy(status: 200)), commitChanges: true,
            checkpoint: project.dependencies().checkpoint)
        let service = project.promotion(deployer: deployer, deployments: ["dev": settings])
        let request = PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: "dev")

        project.crash(at: .deployRewritten)
        await #expect(throws: LifecycleHarness.Crash(point: .deployRewritten)) {
            try await service.run(try await service.preview(request))
        }
        #expect(project.git.state.current.commits.isEmpty, "the crash came before the commit")
        let outcome = try await service.run(try await service.preview(request))
        #expect(outcome.deployed?.details["commit"] != nil && outcome.deployed?.details["health"] == "200")
        #expect(outcome.deployed?.details["kubectl"] == "dev-eu")
        #expect(workload.images.current == ["registry.example/acme/api:v0.1.0-dev@\(digest)"])
        #expect(try files.read("k8s/dev/kustomization.yaml")?.contains("digest: \(digest)") == true)
        #expect(project.git.state.current.commits.map(\.files) == [["k8s/dev/kustomization.yaml"]])
        #expect(try await service.preview(request).isDone)
        #expect(try await project.events(.promoted).count == 1)
        #expect(try await project.events(.deployed).count == 1)
    }

    @Test("an unhealthy service is deployed and recorded, then reported")
    func unhealthy() async throws {
        let (project, _) = try await Self.released()
        var settings = DeploySettings()
        settings.healthURL = "http://api.dev.internal/healthz"
        let deployer = DeployService(
            files: InMemoryManifestFiles([:], git: project.git), git: project.git, workload: nil,
            health: FixedHealth(.unhealthy(last: "HTTP 503")), commitChanges: true)
        let service = project.promotion(deployer: deployer, deployments: ["dev": settings])
        let outcome = try await service.run(
            try await service.preview(
                PromotionRequest(repository: LifecycleHarness.images[0], version: "0.1.0", environment: "dev")))
        #expect(outcome.deployed?.details["health"] == "unhealthy")
        #expect(outcome.unhealthy?.message.contains("last: HTTP 503") == true)
    }

    @Test("a promotion that finds the environment already running its digest puts missing tags back and records nothing")
    func alreadyRunningRepairsTags() async throws {
        let (project, digest) = try await Self.released()
        _ = try await project.promote("0.1.0", to: "dev")
        // What a racing run sees when it read the registry before the winner's retag and the ledger after
        // its record: the environment runs the digest, a tag looks missing.
        let repository = try ImageReference(parsing: LifecycleHarness.images[0]).repository
        try await project.store.deleteTag(repository, tag: "v0.1.0-dev")
        let again = try await project.promote("0.1.0", to: "dev")
        #expect(try await project.tag("v0.1.0-dev") == digest)
        #expect(try await project.events(.promoted).filter { $0.environment == "dev" }.count == 1)
        #expect(again.promoted?.id == (try await project.events(.promoted).first?.id))
    }

    @Test("rollback returns to the last good release, marks the current one bad, and moves latest back")
    func rollback() async throws {
        let (project, first) = try await Self.released()
        for environment in ["dev", "staging", "prod"] { _ = try await project.promote("0.1.0", to: environment) }
        // 0.2.0: a feature, built, released, gated, promoted to prod.
        project.git.state.withLock { _ = $0.history.commit("feat: second endpoint") }
        let second = try await project.pushBuild(seed: "second")
        _ = try await project.release()
        try await project.gate(second, .pass, version: "0.2.0")
        for environment in ["dev", "staging", "prod"] { _ = try await project.promote("0.2.0", to: environment) }
        #expect(try await project.tag("latest") == second)

        let service = RollbackService(project.dependencies(), environments: LifecycleHarness.environments, tagPrefix: "v")
        let preview = try await service.preview(RollbackRequest(repository: LifecycleHarness.images[0], environment: "prod"))
        #expect(preview.plan.toVersion == "0.1.0" && preview.plan.movingTags == ["latest"])
        let outcome = try await service.run(preview)
        #expect(outcome.event.kind == .rolledBack && outcome.event.digest == first.description)
        #expect(try await project.tag("latest") == first)
        #expect(try await project.events(.markedBad).map(\.digest) == [second.description])
        let promoteBad = await #expect(throws: BerthError.self) { try await project.promote("0.2.0", to: "prod") }
        #expect(promoteBad?.kind == .blocked && promoteBad?.message.contains("marked bad") == true)
        let nothing = await #expect(throws: BerthError.self) {
            try await service.preview(RollbackRequest(repository: LifecycleHarness.images[0], environment: "prod"))
        }
        #expect(
            nothing?.kind == .conflict && nothing?.message.contains("already rolled back to 0.1.0") == true,
            "0.2.0 is bad, nothing else ran before 0.1.0, and a rollback just happened")
        let named = await #expect(throws: BerthError.self) {
            try await service.preview(
                RollbackRequest(repository: LifecycleHarness.images[0], environment: "prod", target: "0.2.0"))
        }
        #expect(named?.kind == .blocked, "a named target that is bad is refused: \(String(describing: named))")
    }

    @Test("retention deletes what no rule keeps, records it, and keeps what an environment runs")
    func retention() async throws {
        let (project, digest) = try await Self.released()
        _ = try await project.promote("0.1.0", to: "dev")
        for index in 1...7 {
            try await TestImages.push(into: project.store, repository: "acme/api", tag: "v0.0.\(index)", seed: "old \(index)")
        }
        var policy = RetentionPolicy()
        policy.keepReleases = 3
        let service = RetentionService(project.dependencies(), environments: LifecycleHarness.environments, tagPrefix: "v")
        let preview = try await service.preview(repository: LifecycleHarness.images[0], policy: policy)
        #expect(preview.plan.delete.map(\.tag).sorted() == ["v0.0.1", "v0.0.2", "v0.0.3", "v0.0.4", "v0.0.5"])
        #expect(preview.plan.keep.contains { $0.tag == "v0.1.0-dev" && $0.digest == digest.description })
        let event = try await service.run(preview)
        #expect(event?.details["tags"]?.split(separator: ",").count == 5)
        #expect(try await project.tag("v0.0.1") == nil)
        #expect(try await project.tag("v0.0.7") != nil)
        #expect(try await service.run(try await service.preview(repository: LifecycleHarness.images[0], policy: policy)) == nil)
    }
}

/// A workload that records the images it was asked to run.
final class RecordingWorkload: Workload {
    let images = Locked<[String]>([])

    func roll(_ image: String, environment: String, settings: DeploySettings) async throws -> String {
        images.withLock { $0.append(image) }
        return settings.kubectlContext ?? ""
    }
}

/// A health probe with a fixed answer.
struct FixedHealth: HealthProbe {
    let answer: HealthAnswer

    init(_ answer: HealthAnswer) { self.answer = answer }

    func waitHealthy(_ url: String, timeoutSeconds: Int) async throws -> HealthAnswer { answer }
}
