import BerthCore
import Foundation
import Testing

struct LifecyclePlannerTests {
    static func digest(_ character: Character) -> String { "sha256:" + String(repeating: character, count: 64) }

    static func event(
        _ id: Int64, _ kind: LedgerEvent.Kind, _ version: String, _ digest: String, environment: String? = nil,
        details: [String: String] = [:]
    )
        -> LedgerEvent
    {
        var event = LedgerEvent(
            kind: kind, repository: "r", version: version, digest: digest, environment: environment, actor: "ci",
            time: Double(id), details: details)
        event.id = id
        return event
    }

    static let environments = EnvironmentPolicy.defaults

    @Test("promotion: order, clearance per environment, immutable tags, floating tags move")
    func promotion() throws {
        let a = Self.digest("a")
        let passed = Self.event(1, .gateEvaluated, "1.2.0", a, details: ["outcome": "pass"])
        let dev = try PromotionPlanner.plan(
            version: "1.2.0", digest: a, to: "dev", environments: Self.environments, tagPrefix: "v", events: [passed],
            existingTags: [:], now: 10)
        #expect(dev.tags == [.init(tag: "v1.2.0-dev", action: .create)] && dev.from == nil)
        #expect(throws: BerthError.self) {
            try PromotionPlanner.plan(
                version: "1.2.0", digest: a, to: "staging", environments: Self.environments, tagPrefix: "v", events: [passed],
                existingTags: [:], now: 10)
        }
        let inDev = Self.event(2, .promoted, "1.2.0", a, environment: "dev")
        let inStaging = Self.event(3, .promoted, "1.2.0", a, environment: "staging")
        let prod = try PromotionPlanner.plan(
            version: "1.2.0", digest: a, to: "prod", environments: Self.environments, tagPrefix: "v",
            events: [passed, inDev, inStaging],
            existingTags: ["latest": Self.digest("b"), "v1.2.0": a], now: 10)
        #expect(prod.tags == [.init(tag: "v1.2.0", action: .keep), .init(tag: "latest", action: .move(from: Self.digest("b")))])
        #expect(!prod.isDone)
        let again = try PromotionPlanner.plan(
            version: "1.2.0", digest: a, to: "prod", environments: Self.environments, tagPrefix: "v",
            events: [passed, inDev, inStaging], existingTags: ["latest": a, "v1.2.0": a], now: 10, current: a)
        #expect(again.isDone, "a re-run after the promotion was recorded has nothing to do")
        let tagsOnlyLanded = try PromotionPlanner.plan(
            version: "1.2.0", digest: a, to: "prod", environments: Self.environments, tagPrefix: "v",
            events: [passed, inDev, inStaging], existingTags: ["latest": a, "v1.2.0": a], now: 10, current: Self.digest("b"))
        #expect(!tagsOnlyLanded.isDone, "tags in place but not recorded (a crash before the record): record it")
        let conflict = #expect(throws: BerthError.self) {
            try PromotionPlanner.plan(
                version: "1.2.0", digest: a, to: "prod", environments: Self.environments, tagPrefix: "v",
                events: [passed, inDev, inStaging],
                existingTags: ["v1.2.0": Self.digest("c")], now: 10)
        }
        #expect(conflict?.kind == .conflict)
        let prerelease = #expect(throws: BerthError.self) {
            try PromotionPlanner.plan(
                version: "1.3.0-rc.1", digest: a, to: "prod", environments: Self.environments, tagPrefix: "v",
                events: [passed, Self.event(4, .promoted, "1.3.0-rc.1", a, environment: "staging")], existingTags: [:], now: 10)
        }
        #expect(prerelease?.message.contains("final releases only") == true)
    }

    @Test("clearance: an approval covers only its digest, its gate decision and its environment, until it expires")
    func clearance() {
        let a = Self.digest("a")
        let gate = Self.event(1, .gateEvaluated, "1.2.0", a, details: ["outcome": "needs-approval"])
        let approval = Self.event(2, .approved, "1.2.0", a, environment: "prod", details: ["gate": "1", "expires": "100"])
        #expect(
            ReleaseClearance.verdict(digest: a, environment: "prod", events: [gate, approval], now: 50)
                == .cleared("approved by ci (event 2): "))
        if case .needsApproval = ReleaseClearance.verdict(digest: a, environment: "prod", events: [gate, approval], now: 101) {
        } else {
            Issue.record("an expired approval must not clear")
        }
        if case .needsApproval = ReleaseClearance.verdict(digest: a, environment: "staging", events: [gate, approval], now: 50) {
        } else {
            Issue.record("an approval for prod must not clear staging")
        }
        let other = Self.event(2, .approved, "1.2.0", Self.digest("b"), environment: "prod", details: ["gate": "1"])
        if case .needsApproval = ReleaseClearance.verdict(digest: a, environment: "prod", events: [gate, other], now: 50) {
        } else {
            Issue.record("an approval of another digest must not clear")
        }
        let newerGate = Self.event(3, .gateEvaluated, "1.2.0", a, details: ["outcome": "needs-approval"])
        if case .needsApproval = ReleaseClearance.verdict(
            digest: a, environment: "prod", events: [gate, approval, newerGate], now: 50)
        {
        } else {
            Issue.record("an approval answers one gate decision, not a newer one")
        }
    }

    @Test("retention: newest N per channel, patterns, environments, aliases and age keep; the rest is deleted")
    func retention() {
        let tags = [
            "v1.0.0": Self.digest("1"), "v1.1.0": Self.digest("2"), "v1.2.0": Self.digest("3"), "v1.3.0-rc.1": Self.digest("4"),
            "v1.3.0-rc.2": Self.digest("5"), "latest": Self.digest("3"), "v1": Self.digest("3"), "sha-aaaaaaa": Self.digest("1"),
            "sha-bbbbbbb": Self.digest("6"), "v0.9.0": Self.digest("7"),
        ]
        var policy = RetentionPolicy()
        policy.keepReleases = 1
        policy.keepDays = 7
        let plan = RetentionPlanner.plan(
            tags: tags, prefix: "v", policy: policy, environmentDigests: [Self.digest("1")], ages: ["v0.9.0": 1_000_000 - 86_400],
            now: 1_000_000)
        #expect(plan.delete.map(\.tag) == ["sha-bbbbbbb", "v1.1.0", "v1.3.0-rc.1"])
        #expect(plan.keep.first { $0.tag == "sha-aaaaaaa" }?.reason == "an environment runs it or ran it recently")
        #expect(plan.keep.first { $0.tag == "v0.9.0" }?.reason == "younger than 7 days")
    }

    @Test("retention: referrers fallback tags (SBOMs, signatures) stay with a kept subject and go with a deleted one")
    func retentionReferrers() {
        func fallback(_ digest: String, _ suffix: String = "") -> String { "sha256-" + digest.dropFirst(7) + suffix }
        let (kept, gone, elsewhere) = (Self.digest("1"), Self.digest("2"), Self.digest("9"))
        let tags = [
            "v1.1.0": kept, "v1.0.0": gone, fallback(kept): Self.digest("a"), fallback(kept, ".sig"): Self.digest("b"),
            fallback(gone): Self.digest("c"), fallback(gone, ".att"): Self.digest("d"), fallback(elsewhere): Self.digest("e"),
            "sha256-not-a-digest": Self.digest("f"),
        ]
        var policy = RetentionPolicy()
        policy.keepReleases = 1
        let plan = RetentionPlanner.plan(
            tags: tags, prefix: "v", policy: policy, environmentDigests: [], ages: [:], now: 1_000_000)
        #expect(
            plan.delete.map(\.tag).sorted()
                == [fallback(gone), fallback(gone, ".att"), "sha256-not-a-digest", "v1.0.0"].sorted())
        #expect(plan.keep.first { $0.tag == fallback(kept, ".sig") }?.reason == "attached to a kept image")
        #expect(plan.keep.first { $0.tag == fallback(elsewhere) }?.reason == "attached to an image no tag here names")
    }

    @Test("retention: a deleted index takes its platforms' referrers tags and its SBOM's signature index; a kept one keeps them")
    func retentionReachesReferrers() {
        func fallback(_ digest: String, _ suffix: String = "") -> String { "sha256-" + digest.dropFirst(7) + suffix }
        // Each release an index (1, 2) with a platform (p1, p2) signed through its own .sig tag, and an SBOM (s1, s2)
        // listed in the index's fallback index (f1, f2), the SBOM signed in its own fallback index (g1, g2).
        let (index1, platform1, sbom1, referrers1, sbomReferrers1) = (
            Self.digest("1"), Self.digest("a"), Self.digest("b"), Self.digest("c"), Self.digest("d")
        )
        let (index2, platform2, sbom2, referrers2, sbomReferrers2) = (
            Self.digest("2"), Self.digest("e"), Self.digest("f"), Self.digest("0"), Self.digest("9")
        )
        let tags = [
            "v1.0.0": index1, fallback(index1): referrers1, fallback(sbom1): sbomReferrers1,
            fallback(platform1, ".sig"): Self.digest("7"),
            "v2.0.0": index2, fallback(index2): referrers2, fallback(sbom2): sbomReferrers2,
            fallback(platform2, ".sig"): Self.digest("8"),
        ]
        let children = [
            index1: [platform1], referrers1: [sbom1], index2: [platform2], referrers2: [sbom2],
        ]
        var policy = RetentionPolicy()
        policy.keepReleases = 1
        let plan = RetentionPlanner.plan(
            tags: tags, prefix: "v", policy: policy, environmentDigests: [], ages: [:], children: children, now: 1_000_000)
        #expect(
            plan.delete.map(\.tag).sorted()
                == ["v1.0.0", fallback(index1), fallback(sbom1), fallback(platform1, ".sig")].sorted())
        #expect(plan.keep.first { $0.tag == fallback(sbom2) }?.reason == "attached to a kept image")
        #expect(plan.keep.first { $0.tag == fallback(platform2, ".sig") }?.reason == "attached to a kept image")
        // No sha256- tag counts as a version, however many there are.
        #expect(plan.keep.filter { $0.reason.hasPrefix("one of the newest") }.map(\.tag) == ["v2.0.0"])
    }

    @Test(
        "rollback: the newest earlier release that passed its gates and isn't bad; --to picks one; nothing qualifies is refused")
    func rollback() throws {
        let (a, b, c) = (Self.digest("a"), Self.digest("b"), Self.digest("c"))
        let history = [
            Self.event(9, .promoted, "1.2.0", c, environment: "prod"), Self.event(6, .promoted, "1.1.0", b, environment: "prod"),
            Self.event(3, .promoted, "1.0.0", a, environment: "prod"),
        ]
        let gates = [a, b, c].enumerated().map {
            Self.event(Int64($0.offset + 20), .gateEvaluated, "", $0.element, details: ["outcome": "pass"])
        }
        let prod = Self.environments[2]
        let plan = try RollbackPlanner.plan(
            environment: prod, history: history, events: gates, target: nil, prefix: "v", now: 100)
        #expect(plan.toVersion == "1.1.0" && plan.fromVersion == "1.2.0" && plan.movingTags == ["latest"])
        let bad = Self.event(30, .markedBad, "1.1.0", b, environment: "prod")
        #expect(
            try RollbackPlanner.plan(
                environment: prod, history: history, events: gates + [bad], target: nil, prefix: "v", now: 100
            ).toVersion == "1.0.0")
        #expect(
            try RollbackPlanner.plan(environment: prod, history: history, events: gates, target: "1.0.0", prefix: "v", now: 100)
                .toDigest == a)
        #expect(throws: BerthError.self) {
            try RollbackPlanner.plan(
                environment: prod, history: Array(history.prefix(1)), events: gates, target: nil, prefix: "v", now: 100)
        }
    }

    @Test("deploy manifests: only the image values change; comments (inline ones too), quotes and order stay")
    func manifests() throws {
        let kustomization =
            "# prod\nresources:\n  - deployment.yaml\nimages:\n  - name: reg.example/api\n    newTag: v1.2.0 # pinned\n  - name: reg.example/db\n    newTag: \"15\"\n"
        #expect(
            try DeployManifestEditor.kustomization(
                kustomization, repository: "reg.example/api", tag: "v1.1.0", digest: Self.digest("b"))
                == "# prod\nresources:\n  - deployment.yaml\nimages:\n  - name: reg.example/api\n    digest: \(Self.digest("b"))\n    newTag: v1.1.0 # pinned\n  - name: reg.example/db\n    newTag: \"15\"\n"
        )
        let deployment =
            "spec:\n  containers:\n    - name: api\n      image: reg.example/api:v1.2.0@\(Self.digest("c"))  \n    - name: sidecar\n      image: reg.example/proxy:1\n    - name: worker\n      image: \"reg.example/api:v1.2.0\"  # same image\n"
        #expect(
            try DeployManifestEditor.containerImage(
                deployment, repository: "reg.example/api", tag: "v1.1.0", digest: Self.digest("b"))
                == "spec:\n  containers:\n    - name: api\n      image: reg.example/api:v1.1.0@\(Self.digest("b"))\n    - name: sidecar\n      image: reg.example/proxy:1\n    - name: worker\n      image: reg.example/api:v1.1.0@\(Self.digest("b"))  # same image\n"
        )
        let values = "replicas: 2\nimage:\n  repository: reg.example/api\n  tag: v1.2.0   # set by CI\nservice:\n  tag: keep\n"
        #expect(
            try DeployManifestEditor.helmValue(values, key: "image.tag", tag: "v1.1.0", digest: Self.digest("b"))
                == "replicas: 2\nimage:\n  repository: reg.example/api\n  tag: \"v1.1.0@\(Self.digest("b"))\"   # set by CI\nservice:\n  tag: keep\n"
        )
        #expect(DeployManifestEditor.trailingComment("  tag: \"v1 # not a comment\" # one") == " # one")
        #expect(DeployManifestEditor.trailingComment("  url: http://x/#frag") == "")
        #expect(DeployManifestEditor.trailingComment("  # a whole line") == "")
        #expect(throws: DeployManifestEditor.Problem.self) {
            try DeployManifestEditor.helmValue(values, key: "image.digest", tag: "x", digest: "y")
        }
        #expect(throws: DeployManifestEditor.Problem.self) {
            try DeployManifestEditor.containerImage(deployment, repository: "reg.example/other", tag: "x", digest: "y")
        }
    }

    @Test("the changelog groups commits by type, breaking changes first, others last")
    func changelog() {
        let commits = [
            GitCommit(sha: "aaaaaaa1", message: "feat(api)!: drop v1 routes"),
            GitCommit(sha: "bbbbbbb2", message: "fix: nil body"),
            GitCommit(sha: "ccccccc3", message: "Merge branch 'x'"), GitCommit(sha: "ddddddd4", message: "feat: login\n\nbody"),
            GitCommit(sha: "eeeeeee5", message: "deps: bump gin"),
        ]
        #expect(
            Changelog(commits: commits).markdown(from: "1.0.0", to: "2.0.0") == """
                ## 2.0.0 (since 1.0.0)

                ### Breaking changes

                - **api**: drop v1 routes (aaaaaaa)

                ### Features

                - **api**: drop v1 routes (aaaaaaa)
                - login (ddddddd)

                ### Fixes

                - nil body (bbbbbbb)

                ### deps

                - bump gin (eeeeeee)

                ### Other

                - Merge branch 'x' (ccccccc)

                """)
    }
}
